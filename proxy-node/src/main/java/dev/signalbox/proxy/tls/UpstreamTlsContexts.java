package dev.signalbox.proxy.tls;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of TLS to backends ({@link UpstreamTls}): one {@link SslContext} per distinct setting of
 * the applied snapshot, trusting the setting's CA (or anything when it does not verify) and presenting its
 * client certificate, whose sealed key is opened here with this node's {@link KeyRing}. The snapshot thread
 * calls {@link #update} before the routing table is swapped and replaces the whole map through one volatile
 * reference; a setting that did not change keeps its context. Event loops ask {@link #contextFor} when
 * they open a connection (the handler is the netty package's {@code UpstreamTlsHandlers}), and classify
 * what went wrong with {@link #failure} and {@link #closedBeforeResponse}.
 *
 * <p>The JDK provider is used on this side: its hostname verification (RFC 6125, through
 * {@code SSLParameters.setEndpointIdentificationAlgorithm("HTTPS")}) and SNI are the reference behaviour,
 * and backend handshakes are few (connections are pooled).
 */
public final class UpstreamTlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamTlsContexts.class);
    /** A session value: the backend asked for a client certificate and these settings have none. */
    private static final String UNANSWERED_CERTIFICATE_REQUEST = "signalbox.unanswered-certificate-request";

    private final KeyRing keys;
    private volatile State state = new State(0, Map.of(), List.of());

    /** A context, or why there is none on this node. */
    private sealed interface Served permits Context, Refused {
    }

    private record Context(SslContext ctx) implements Served {
    }

    private record Refused(String reason) implements Served {
    }

    private record State(long version, Map<UpstreamTls, Served> byTls, List<String> unusable) {
    }

    /** A TLS failure with a backend: {@code kind} labels the upstream error metric, {@code reason} the 502. */
    public record Failure(String kind, String reason) {
    }

    /** This node cannot speak TLS with these settings (its client key does not open here). */
    public static final class RefusedException extends SSLException {
        public RefusedException(String reason) {
            super(reason);
        }
    }

    private final Map<UpstreamTls, Served> onDemand = new java.util.concurrent.ConcurrentHashMap<>();

    public UpstreamTlsContexts(KeyRing keys) {
        this.keys = keys;
    }

    /**
     * Builds the contexts of {@code snapshot}'s TLS backends, reusing those whose settings did not change. A
     * setting this node cannot use (a client key it cannot open, a PEM that does not load) is logged once per
     * snapshot version and listed in {@link #unusable()}; connections with it fail with the reason.
     */
    public void update(RoutingSnapshot snapshot) {
        State before = state;
        if (snapshot.version() <= before.version()) {
            return;
        }
        Map<UpstreamTls, Served> byTls = new HashMap<>();
        List<String> unusable = new ArrayList<>();
        for (Backend b : snapshot.table().backends()) {
            UpstreamTls tls = b.tls();
            if (tls == null || b.endpoints().isEmpty() || byTls.containsKey(tls)) {
                continue;
            }
            Served s = before.byTls().get(tls);
            if (s == null) {
                s = build(tls);
                if (s instanceof Refused r) {
                    LOG.error("snapshot version {}: backend {}: {}", snapshot.version(), b.id(), r.reason());
                    unusable.add("backend " + b.id() + ": " + r.reason());
                }
            } else if (s instanceof Refused r) {
                unusable.add("backend " + b.id() + ": " + r.reason());
            }
            byTls.put(tls, s);
        }
        state = new State(snapshot.version(), Map.copyOf(byTls), List.copyOf(unusable));
    }

    /** The context built for {@code tls} by the latest {@link #update}, or null (tests). */
    SslContext context(UpstreamTls tls) {
        return state.byTls().get(tls) instanceof Context c ? c.ctx() : null;
    }

    /**
     * The client context for {@code tls}, for a new backend connection (an event loop); a setting missing from
     * the applied snapshot (a request that started with an older table) is built here.
     *
     * @throws RefusedException when this node cannot use the settings, with the reason
     */
    public SslContext contextFor(UpstreamTls tls) throws RefusedException {
        Served served = state.byTls().get(tls);
        if (served == null) {
            // Settings of no backend of the applied table (an older table's request, an https auth-url): built once.
            if (onDemand.size() > 64) {
                onDemand.clear();
            }
            served = onDemand.computeIfAbsent(tls, this::build);
        }
        if (served instanceof Refused r) {
            throw new RefusedException(r.reason());
        }
        return ((Context) served).ctx();
    }

    /** The TLS backends of the applied snapshot this node cannot connect to, one sentence each. */
    public List<String> unusable() {
        return state.unusable();
    }

    /**
     * The TLS failure in {@code cause} (a handshake that failed or timed out, an alert the backend sent after
     * it, such as certificate_required in TLS 1.3, or a refusal by this node), or null when it is not one.
     */
    public static Failure failure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof RefusedException) {
                return new Failure("tls_config", t.getMessage());
            }
            if (t instanceof SSLException) {
                return new Failure("tls_handshake", String.valueOf(t.getMessage()));
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /**
     * Why a backend closed a new TLS connection before responding, when the handshake tells: it asked for a
     * client certificate and none is configured. Only for a connection that served no request before. A TLS 1.3 server checks the client certificate after the
     * client finished its handshake and often just closes (RFC 8446 4.4.2.4), so the cause shows only here.
     * {@code engine} is the connection's, or null.
     */
    public static Failure closedBeforeResponse(SSLEngine engine) {
        if (engine != null && engine.getSession().getValue(UNANSWERED_CERTIFICATE_REQUEST) != null) {
            return new Failure("tls_handshake", "the backend asked for a client certificate, none is configured"
                    + " (tls.crt and tls.key in the backend TLS Secret), and it closed the connection");
        }
        return null;
    }

    /**
     * The key manager of settings without a client certificate: presents none, and notes in the handshake's
     * session that the backend asked for one, so that its refusal can be explained.
     */
    private static final class NoClientCertificate extends X509ExtendedKeyManager {
        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            SSLSession session = engine.getHandshakeSession();
            if (session != null) {
                session.putValue(UNANSWERED_CERTIFICATE_REQUEST, Boolean.TRUE);
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return null;
        }
    }

    private Served build(UpstreamTls tls) {
        byte[] keyPem = null;
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2");
            if (tls.verify() && tls.caCertificatePem() != null) {
                b.trustManager(new ByteArrayInputStream(tls.caCertificatePem().getBytes(StandardCharsets.US_ASCII)));
            } else if (tls.verify()) {
                // No CA named (an https auth-url): the JDK's trusted roots, as a browser would.
                b.trustManager((javax.net.ssl.TrustManagerFactory) null);
            } else {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            }
            if (tls.clientKey() == null) {
                b.keyManager(new NoClientCertificate());
            } else {
                try {
                    keyPem = keys.open(tls.clientKey(), tls.secret());
                } catch (GeneralSecurityException | RuntimeException e) {
                    return new Refused("the client key of secret " + tls.secret() + " "
                            + (e instanceof KeyRing.UnknownKeyException ? "cannot be opened: " : "does not open: ")
                            + e.getMessage());
                }
                byte[] certPem = tls.clientCertificatePem().getBytes(StandardCharsets.US_ASCII);
                PrivateKey key = PemMaterial.privateKey(keyPem);
                if (key != null) {
                    b.keyManager(key, PemMaterial.certificates(certPem));
                } else {
                    b.keyManager(new ByteArrayInputStream(certPem), new ByteArrayInputStream(keyPem));
                }
            }
            return new Context(b.build());
        } catch (Exception e) {
            return new Refused("TLS settings of secret " + tls.secret() + " do not load: " + e.getMessage());
        } finally {
            if (keyPem != null) {
                // The context holds the key now; the opened PEM bytes need not outlive it.
                Arrays.fill(keyPem, (byte) 0);
            }
        }
    }
}
