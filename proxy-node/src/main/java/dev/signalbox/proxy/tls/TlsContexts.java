package dev.signalbox.proxy.tls;

import dev.signalbox.routing.SniTable;
import dev.signalbox.schemas.codec.Sha256;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.ClientAuth;
import dev.signalbox.schemas.snapshot.TlsBinding;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
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
 *
 * <p>Private keys arrive sealed (AES-256-GCM, see {@link KeyRing}); they are opened here, with this node's
 * key-encryption keys, and live only inside the SslContexts. A key this node cannot open (it lacks the key
 * id, or the record was altered) refuses TLS for that host: the handshake fails rather than show a
 * certificate the host does not own, and the log, {@code /routes} and the metric say why. A certificate
 * that does not load (bad PEM) falls back to the default certificate, as ingress-nginx does.
 */
public final class TlsContexts implements Mapping<String, SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    /** The name on the self-signed default certificate: .invalid (RFC 6761) can never be a real host. */
    static final String DEFAULT_NAME = "signalbox-default.invalid";

    private final SslProvider provider;
    private final SslContext defaultContext;
    private final KeyRing keys;
    private volatile State state = new State(0, SniTable.of(Map.of()), Map.of(), List.of());

    /** What serves one host: its context, or a refusal when its key could not be opened here. */
    private sealed interface Served permits Context, Refused {
    }

    /** A host's context, and its client certificate authentication (null for none). */
    private record Context(SslContext ctx, ClientTrust trust) implements Served {
    }

    /**
     * A host's client certificate authentication and its CA certificates, parsed once per snapshot.
     *
     * @param cas the CAs that verify client certificates; empty for OFF
     */
    public record ClientTrust(ClientAuth auth, List<X509Certificate> cas) {
        public ClientTrust {
            cas = List.copyOf(cas);
        }
    }

    private record Refused(String reason) implements Served {
    }

    /** The contexts of one snapshot version; {@code cache} is keyed by secret and a hash of cert and key. */
    private record State(long version, SniTable<Served> byHost, Map<String, SslContext> cache,
                         List<String> unusable) {
    }

    private TlsContexts(SslProvider provider, SslContext defaultContext, KeyRing keys) {
        this.provider = provider;
        this.defaultContext = defaultContext;
        this.keys = keys;
    }

    /**
     * Picks the provider (OpenSSL through netty-tcnative where it loads, else the JDK) and loads the default
     * certificate from the two PEM files, or generates a self-signed one when they are null.
     *
     * @param keys opens the sealed private keys of the snapshots' TLS bindings
     */
    public static TlsContexts create(Path defaultCertPem, Path defaultKeyPem, KeyRing keys) {
        if (keys.isEmpty()) {
            LOG.warn("no key-encryption key configured (--encryption-keys DIR or SIGNALBOX_ENCRYPTION_KEYS): TLS"
                    + " hosts of the snapshots are refused; only the default certificate is served");
        } else {
            LOG.info("opening TLS private keys with key-encryption keys {}", keys.keyIds());
        }
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
                DefaultCertificate.Pem pem = DefaultCertificate.generate(DEFAULT_NAME, Instant.now(), new SecureRandom());
                def = build(provider, pem.certificate().getBytes(StandardCharsets.US_ASCII),
                        pem.privateKey().getBytes(StandardCharsets.US_ASCII));
                LOG.info("generated a self-signed default certificate (CN={}, ECDSA P-256)", DEFAULT_NAME);
            }
            return new TlsContexts(provider, def, keys);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the default certificate: " + e.getMessage(), e);
        }
    }

    public String providerName() {
        return provider.name();
    }

    /**
     * Builds the contexts of {@code snapshot}'s TLS bindings, reusing those whose secret, certificate and
     * sealed key did not change. A binding whose key does not open here is logged (once per snapshot
     * version) and its host refused; one that does not load is logged and its host served with the default
     * certificate; the others are unaffected.
     */
    public void update(RoutingSnapshot snapshot) {
        State before = state;
        if (snapshot.version() <= before.version()) {
            return;
        }
        Map<String, SslContext> cache = new HashMap<>();
        Map<String, Served> byHost = new LinkedHashMap<>();
        List<String> unusable = new ArrayList<>();
        for (TlsBinding b : snapshot.table().tls()) {
            if (b.clientAuth() != null && b.clientAuth().problem() != null) {
                // Serving the host without the client certificates it asks for would let anyone in.
                refuse(snapshot, b, "client certificates cannot be verified (" + b.clientAuth().problem() + ")", byHost,
                        unusable);
                continue;
            }
            String key = cacheKey(b);
            SslContext ctx = cache.containsKey(key) ? cache.get(key) : before.cache().get(key);
            if (ctx == null) {
                byte[] keyPem;
                try {
                    keyPem = keys.open(b.privateKey(), b.secret());
                } catch (GeneralSecurityException | RuntimeException e) {
                    String why = b.host() + " (secret " + b.secret() + "): private key "
                            + (e instanceof KeyRing.UnknownKeyException ? "" : "does not open: ") + e.getMessage();
                    LOG.error("snapshot version {}: refusing TLS for {}", snapshot.version(), why);
                    unusable.add("TLS refused for " + why);
                    byHost.putIfAbsent(b.host(), new Refused(why));
                    continue;
                }
                try {
                    ctx = build(provider, bytes(b.certificatePem()), keyPem, b.clientAuth());
                } catch (Exception e) {
                    String why = b.host() + " (secret " + b.secret() + "): " + e.getMessage();
                    if (b.clientAuth() != null) {
                        // The default certificate would not ask for the client certificates the host requires.
                        refuse(snapshot, b, "(secret " + b.secret() + "): " + e.getMessage(), byHost, unusable);
                        continue;
                    }
                    LOG.warn("snapshot version {}: TLS binding {} does not load, serving the default certificate "
                            + "for it", snapshot.version(), why);
                    unusable.add(why);
                    continue;
                } finally {
                    // The context holds the key now (or failed); the opened PEM bytes need not outlive it.
                    java.util.Arrays.fill(keyPem, (byte) 0);
                }
            }
            cache.put(key, ctx);
            ClientTrust trust = null;
            if (b.clientAuth() != null) {
                try {
                    trust = new ClientTrust(b.clientAuth(), b.clientAuth().caCertificatePem() == null ? List.of()
                            : List.of(PemMaterial.certificates(bytes(b.clientAuth().caCertificatePem()))));
                } catch (Exception e) {
                    refuse(snapshot, b, "client certificates cannot be verified (ca.crt: " + e.getMessage() + ")",
                            byHost, unusable);
                    continue;
                }
            }
            byHost.putIfAbsent(b.host(), new Context(ctx, trust));
        }
        state = new State(snapshot.version(), SniTable.of(byHost), Map.copyOf(cache), List.copyOf(unusable));
    }

    /** A host refused TLS for a reason of its client certificate settings: logged, listed, its handshakes closed. */
    private static void refuse(RoutingSnapshot snapshot, TlsBinding b, String reason, Map<String, Served> byHost,
                               List<String> unusable) {
        String why = b.host() + " " + reason;
        LOG.error("snapshot version {}: refusing TLS for {}", snapshot.version(), why);
        unusable.add("TLS refused for " + why);
        byHost.putIfAbsent(b.host(), new Refused(why));
    }

    /**
     * SniHandler's lookup: the binding's context for {@code serverName}, else the default (RFC 6066 3).
     *
     * @throws IllegalStateException for a host whose key this node cannot open: SniHandler then closes the
     *                               connection without a handshake
     */
    @Override
    public SslContext map(String serverName) {
        Served s = state.byHost().select(serverName);
        if (s instanceof Refused r) {
            throw new IllegalStateException("TLS refused for " + r.reason());
        }
        return s instanceof Context c ? c.ctx() : defaultContext;
    }

    /**
     * The client certificate authentication of the binding that serves {@code serverName} (exact, then wildcard),
     * or null when it has none or the default certificate serves it.
     */
    public ClientTrust clientTrust(String serverName) {
        Served s = serverName == null ? null : state.byHost().select(serverName);
        return s instanceof Context c ? c.trust() : null;
    }

    /** The bindings of the applied snapshot that did not load, one "host (secret): reason" each. */
    public List<String> unusable() {
        return state.unusable();
    }

    private static SslContext build(SslProvider provider, byte[] certPem, byte[] keyPem)
            throws IOException, GeneralSecurityException {
        return build(provider, certPem, keyPem, null);
    }

    /**
     * A server context; with client authentication other than OFF it asks clients for a certificate (naming the
     * CAs unless OPTIONAL_NO_CA) and accepts whatever comes: {@link ClientCertificateVerifier} decides per
     * connection, so that a failure is answered as nginx answers it (400, or the error page).
     */
    private static SslContext build(SslProvider provider, byte[] certPem, byte[] keyPem, ClientAuth auth)
            throws IOException, GeneralSecurityException {
        PrivateKey key = PemMaterial.privateKey(keyPem);
        SslContextBuilder b;
        if (key != null) {
            b = SslContextBuilder.forServer(key, PemMaterial.certificates(certPem));
        } else {
            try (InputStream cert = new ByteArrayInputStream(certPem); InputStream k = new ByteArrayInputStream(keyPem)) {
                b = SslContextBuilder.forServer(cert, k);
            }
        }
        if (auth != null && auth.verify() != ClientAuth.Verify.OFF) {
            List<X509Certificate> named = auth.verify() == ClientAuth.Verify.OPTIONAL_NO_CA ? List.of()
                    : List.of(PemMaterial.certificates(bytes(auth.caCertificatePem())));
            b.clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL).trustManager(new AcceptingTrustManager(named));
        }
        return b.sslProvider(provider)
                .protocols("TLSv1.3", "TLSv1.2")
                // RFC 9113 9.2.2: HTTP/2 over TLS 1.2 only with the ciphers it allows.
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String cacheKey(TlsBinding b) {
        MessageDigest d = Sha256.newDigest();
        d.update(bytes(b.certificatePem()));
        d.update((byte) 0);
        d.update(bytes(b.privateKey().keyId()));
        d.update((byte) 0);
        d.update(bytes(b.privateKey().ciphertext()));
        if (b.clientAuth() != null) {
            d.update((byte) 0);
            d.update(bytes(b.clientAuth().verify() + "\0" + b.clientAuth().caCertificatePem()));
        }
        return b.secret() + "#" + HexFormat.of().formatHex(d.digest());
    }
}
