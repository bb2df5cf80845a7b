package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.routing.SniTable;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.TlsBinding;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.Mapping;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server certificates of the HTTPS listener: one {@link SslContext} per TLS binding of the applied
 * snapshot, chosen by SNI ({@link SniTable}), and a default for unknown or absent SNI. The snapshot thread
 * calls {@link #update} after each applied snapshot and swaps the whole table through one volatile
 * reference, so new handshakes use the new certificates while open connections keep theirs; a binding
 * whose secret, certificate and key are unchanged keeps its context. Event loops only call {@link #map}.
 */
public final class TlsContexts implements Mapping<String, SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

    private final SslProvider provider;
    private final SslContext defaultContext;
    private volatile State state = new State(0, SniTable.of(Map.of()), Map.of(), List.of());

    /** The contexts of one snapshot version; {@code cache} is keyed by secret and a hash of cert and key. */
    private record State(long version, SniTable<SslContext> byHost, Map<String, SslContext> cache,
                         List<String> unusable) {
    }

    private TlsContexts(SslProvider provider, SslContext defaultContext) {
        this.provider = provider;
        this.defaultContext = defaultContext;
    }

    /**
     * Picks the provider (OpenSSL through netty-tcnative where it loads, else the JDK) and loads the default
     * certificate from the two PEM files, or generates a self-signed one when they are null.
     */
    public static TlsContexts create(Path defaultCertPem, Path defaultKeyPem) {
        SslProvider provider;
        if (OpenSsl.isAvailable()) {
            provider = SslProvider.OPENSSL;
            LOG.info("TLS provider: OpenSSL ({})", OpenSsl.versionString());
        } else {
            provider = SslProvider.JDK;
            LOG.info("TLS provider: JDK (OpenSSL unavailable: {})", String.valueOf(OpenSsl.unavailabilityCause()));
        }
        try {
            SslContext def;
            if (defaultCertPem != null) {
                def = build(provider, Files.readAllBytes(defaultCertPem), Files.readAllBytes(defaultKeyPem));
                LOG.info("default certificate from {}", defaultCertPem);
            } else {
                SelfSignedCertificate ss = new SelfSignedCertificate("signalbox-default.invalid");
                try {
                    def = build(provider, Files.readAllBytes(ss.certificate().toPath()),
                            Files.readAllBytes(ss.privateKey().toPath()));
                } finally {
                    ss.delete();
                }
                LOG.info("generated a self-signed default certificate ({})", ss.cert().getSubjectX500Principal());
            }
            return new TlsContexts(provider, def);
        } catch (IOException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("cannot load the default certificate: " + e.getMessage(), e);
        }
    }

    public String providerName() {
        return provider.name();
    }

    /**
     * Builds the contexts of {@code snapshot}'s TLS bindings, reusing those whose secret and PEMs did not
     * change. A binding that does not load is logged (once per snapshot version) and its host served with
     * the default certificate; the others are unaffected.
     */
    public void update(RoutingSnapshot snapshot) {
        State before = state;
        if (snapshot.version() <= before.version()) {
            return;
        }
        Map<String, SslContext> cache = new HashMap<>();
        Map<String, SslContext> byHost = new LinkedHashMap<>();
        List<String> unusable = new ArrayList<>();
        for (TlsBinding b : snapshot.table().tls()) {
            String key = cacheKey(b);
            SslContext ctx = cache.containsKey(key) ? cache.get(key) : before.cache().get(key);
            if (ctx == null) {
                try {
                    ctx = build(provider, bytes(b.certificatePem()), bytes(b.privateKeyPem()));
                } catch (Exception e) {
                    String why = b.host() + " (secret " + b.secret() + "): " + e.getMessage();
                    LOG.warn("snapshot version {}: TLS binding {} does not load, serving the default certificate "
                            + "for it", snapshot.version(), why);
                    unusable.add(why);
                    continue;
                }
            }
            cache.put(key, ctx);
            byHost.putIfAbsent(b.host(), ctx);
        }
        state = new State(snapshot.version(), SniTable.of(byHost), Map.copyOf(cache), List.copyOf(unusable));
    }

    /** SniHandler's lookup: the binding's context for {@code serverName}, else the default (RFC 6066 3). */
    @Override
    public SslContext map(String serverName) {
        SslContext ctx = state.byHost().select(serverName);
        return ctx != null ? ctx : defaultContext;
    }

    /** The bindings of the applied snapshot that did not load, one "host (secret): reason" each. */
    public List<String> unusable() {
        return state.unusable();
    }

    private static SslContext build(SslProvider provider, byte[] certPem, byte[] keyPem) throws IOException {
        try (InputStream cert = new ByteArrayInputStream(certPem); InputStream key = new ByteArrayInputStream(keyPem)) {
            return SslContextBuilder.forServer(cert, key)
                    .sslProvider(provider)
                    .protocols("TLSv1.3", "TLSv1.2")
                    // RFC 9113 9.2.2: HTTP/2 over TLS 1.2 only with the ciphers it allows.
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        }
    }

    private static byte[] bytes(String pem) {
        return pem == null ? new byte[0] : pem.getBytes(StandardCharsets.US_ASCII);
    }

    private static String cacheKey(TlsBinding b) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(bytes(b.certificatePem()));
            d.update((byte) 0);
            d.update(bytes(b.privateKeyPem()));
            return b.secret() + "#" + HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
