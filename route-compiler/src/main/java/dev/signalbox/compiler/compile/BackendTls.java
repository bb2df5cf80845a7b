package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an Ingress's backend TLS annotations into the settings its Service backends are spoken to with.
 * Signalbox's own annotations win over ingress-nginx's equivalents, which are honoured as far as they map:
 *
 * <ul>
 *   <li>{@value #PROTOCOL} (or {@value #NGINX_PROTOCOL}): {@code HTTP} (default) or {@code HTTPS} for HTTP/1.1;
 *       {@code GRPC} or {@code H2C} for HTTP/2 without TLS (prior knowledge), {@code GRPCS} for HTTP/2 over TLS
 *       (ALPN h2) with the settings below. The proxy treats gRPC and other HTTP/2 alike; a gRPC request is known
 *       by its content-type.</li>
 *   <li>{@value #SECRET} (or {@value #NGINX_SECRET}): a kubernetes.io/tls Secret, {@code name} or
 *       {@code namespace/name}, of the Ingress's own namespace: its ca.crt verifies the backend, its tls.crt
 *       and tls.key, when present, are the client certificate.</li>
 *   <li>{@value #VERIFY} ({@code true}/{@code false}, or {@value #NGINX_VERIFY} {@code on}/{@code off}):
 *       defaults to true when {@value #SECRET} names a Secret, else to false, as ingress-nginx's
 *       proxy-ssl-verify does.</li>
 *   <li>{@value #SERVER_NAME} (or {@value #NGINX_SERVER_NAME}): the SNI and the name the backend's
 *       certificate must carry; default {@code service.namespace.svc}, or an ExternalName Service's DNS name.</li>
 * </ul>
 *
 * A setting that cannot be honoured (an unknown protocol, a missing Secret, verification without ca.crt, a
 * client certificate without its key) is an error on the Ingress, and its backends answer 503 saying why
 * rather than fall back to plain HTTP.
 */
final class BackendTls {
    static final String PROTOCOL = "signalbox.dev/backend-protocol";
    static final String SECRET = "signalbox.dev/backend-tls-secret";
    static final String VERIFY = "signalbox.dev/backend-tls-verify";
    static final String SERVER_NAME = "signalbox.dev/backend-tls-server-name";
    static final String NGINX_PROTOCOL = "nginx.ingress.kubernetes.io/backend-protocol";
    static final String NGINX_SECRET = "nginx.ingress.kubernetes.io/proxy-ssl-secret";
    static final String NGINX_VERIFY = "nginx.ingress.kubernetes.io/proxy-ssl-verify";
    static final String NGINX_SERVER_NAME = "nginx.ingress.kubernetes.io/proxy-ssl-name";
    private static final List<String> TLS_ONLY = List.of(SECRET, VERIFY, SERVER_NAME, NGINX_SECRET, NGINX_VERIFY,
            NGINX_SERVER_NAME);

    private BackendTls() {
    }

    /**
     * One Ingress's backend TLS settings, before the Service fills in the default server name.
     *
     * @param tls        whether the backends are spoken to over TLS; when false only {@code http2} counts
     * @param http2      whether the backends are spoken to over HTTP/2 (GRPC, GRPCS, H2C)
     * @param serverName the server name annotation, or null for the Service's default
     * @param problem    why HTTPS to the backends cannot be set up, or null
     */
    record Spec(boolean tls, boolean http2, String serverName, boolean verify, String secret, String caCertificatePem,
                String clientCertificatePem, SealedKey clientKey, String problem) {
        /** HTTP/2 without TLS (GRPC, H2C). */
        static final Spec PLAIN_HTTP2 = new Spec(false, true, null, false, null, null, null, null, null);

        /** {@link Backend#protocol()} of the backends. */
        String protocol() {
            return http2 ? Backend.HTTP2 : null;
        }

        UpstreamTls forService(String defaultServerName) {
            return new UpstreamTls(serverName != null ? serverName : defaultServerName, verify, secret,
                    verify ? caCertificatePem : null, clientCertificatePem, clientKey);
        }
    }

    /**
     * The settings of {@code ingress}'s backends, or null for plain HTTP/1.1; problems become diagnostics.
     */
    static Spec of(ClusterModel model, ObjectKey ingress, Map<String, String> annotations, Diagnostics diagnostics) {
        Named protocol = first(annotations, PROTOCOL, NGINX_PROTOCOL);
        String proto = protocol == null ? "HTTP" : protocol.value().toUpperCase(Locale.ROOT);
        if (proto.equals("HTTP") || proto.equals("GRPC") || proto.equals("H2C")) {
            List<String> ignored = TLS_ONLY.stream().filter(annotations::containsKey).toList();
            if (!ignored.isEmpty()) {
                diagnostics.warning(ingress, "annotations " + ignored + " ignored: the backend protocol is not HTTPS"
                        + " or GRPCS (set " + PROTOCOL + ": \"HTTPS\")");
            }
            return proto.equals("HTTP") ? null : Spec.PLAIN_HTTP2;
        }
        if (!proto.equals("HTTPS") && !proto.equals("GRPCS")) {
            return broken(ingress, diagnostics, protocol.name() + ": \"" + protocol.value()
                    + "\" is not supported (HTTP, HTTPS, GRPC, GRPCS or H2C)", false);
        }
        boolean http2 = proto.equals("GRPCS");

        String serverName = null;
        Named name = first(annotations, SERVER_NAME, NGINX_SERVER_NAME);
        if (name != null) {
            serverName = Paths.normalizeHost(name.value());
            if (serverName == null || serverName.startsWith("*.")) {
                return broken(ingress, diagnostics, name.name() + ": \"" + name.value() + "\" is not a DNS name", http2);
            }
        }

        Named secretRef = first(annotations, SECRET, NGINX_SECRET);
        boolean verify = secretRef != null && secretRef.name().equals(SECRET);
        Named verifyValue = first(annotations, VERIFY, NGINX_VERIFY);
        if (verifyValue != null) {
            String v = verifyValue.value().toLowerCase(Locale.ROOT);
            boolean ours = verifyValue.name().equals(VERIFY);
            if (v.equals(ours ? "true" : "on")) {
                verify = true;
            } else if (v.equals(ours ? "false" : "off")) {
                verify = false;
            } else {
                return broken(ingress, diagnostics, verifyValue.name() + ": \"" + verifyValue.value() + "\" is not "
                        + (ours ? "true or false" : "on or off"), http2);
            }
        }
        if (secretRef == null) {
            if (verify) {
                return broken(ingress, diagnostics, "verifying the backend needs a CA: name a kubernetes.io/tls Secret"
                        + " with ca.crt in " + SECRET, http2);
            }
            return new Spec(true, http2, serverName, false, null, null, null, null, null);
        }

        String ref = secretRef.value();
        int slash = ref.indexOf('/');
        String namespace = slash < 0 ? ingress.namespace() : ref.substring(0, slash);
        String secretName = ref.substring(slash + 1);
        if (!namespace.equals(ingress.namespace())) {
            // An Ingress author must not borrow another namespace's client key or trust.
            return broken(ingress, diagnostics, secretRef.name() + ": secret " + ref + " is in another namespace;"
                    + " an Ingress may only use Secrets of its own namespace (" + ingress.namespace() + ")", http2);
        }
        String shown = namespace + "/" + secretName;
        String secret = TlsSecretState.sealingContext(ingress.clusterId(), namespace, secretName);
        StoredObject s = secretName.isEmpty() ? null
                : model.get(new ObjectKey(ingress.clusterId(), Kind.SECRET, namespace, secretName));
        if (s == null) {
            return broken(ingress, diagnostics, "TLS secret " + shown
                    + " does not exist (or is not of type kubernetes.io/tls)", http2);
        }
        TlsSecretState state = (TlsSecretState) s.state();
        String ca = null;
        if (verify) {
            if (blank(state.caCertificatePem())) {
                return broken(ingress, diagnostics, "TLS secret " + shown + " has no ca.crt to verify the backend with"
                        + " (or set " + VERIFY + ": \"false\")", http2);
            }
            if (Certificates.parse(state.caCertificatePem()) instanceof Certificates.Unreadable u) {
                return broken(ingress, diagnostics, "TLS secret " + shown + ": ca.crt does not parse (" + u.reason() + ")", http2);
            }
            ca = state.caCertificatePem();
        }
        String clientCert = null;
        SealedKey clientKey = null;
        if (!blank(state.certificatePem())) {
            if (state.privateKey() == null) {
                return broken(ingress, diagnostics, "TLS secret " + shown + ": " + (state.keyNotPublished() != null
                        ? state.keyNotPublished() : "tls.crt has no tls.key") + ", so there is no client certificate", http2);
            }
            if (Certificates.parse(state.certificatePem()) instanceof Certificates.Unreadable u) {
                return broken(ingress, diagnostics, "TLS secret " + shown + ": tls.crt does not parse (" + u.reason() + ")", http2);
            }
            clientCert = state.certificatePem();
            clientKey = state.privateKey();
        } else if (state.privateKey() != null) {
            return broken(ingress, diagnostics, "TLS secret " + shown + " has tls.key but no tls.crt", http2);
        }
        return new Spec(true, http2, serverName, verify, secret, ca, clientCert, clientKey, null);
    }

    private static Spec broken(ObjectKey ingress, Diagnostics diagnostics, String problem, boolean http2) {
        diagnostics.error(ingress, "backend TLS: " + problem + "; its Service backends answer 503");
        return new Spec(true, http2, null, false, null, null, null, null, problem);
    }

    private record Named(String name, String value) {
    }

    /** The first of {@code names} that is set, trimmed. */
    private static Named first(Map<String, String> annotations, String... names) {
        for (String n : names) {
            String v = annotations.get(n);
            if (v != null) {
                return new Named(n, v.trim());
            }
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
