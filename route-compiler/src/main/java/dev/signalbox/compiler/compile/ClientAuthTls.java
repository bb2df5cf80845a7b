package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.ClientAuth;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an Ingress's client certificate annotations (ingress-nginx's {@code auth-tls-*}, also under
 * {@code signalbox.dev/}, ours first) into the {@link ClientAuth} of the hosts it lists under spec.tls:
 *
 * <ul>
 *   <li>{@code auth-tls-secret}: {@code namespace/name} (or {@code name}) of a Secret of the Ingress's own
 *       namespace whose ca.crt verifies client certificates;</li>
 *   <li>{@code auth-tls-verify-client}: on (default), off, optional, optional_no_ca;</li>
 *   <li>{@code auth-tls-verify-depth}: the longest client chain, the CA not counted (default 1);</li>
 *   <li>{@code auth-tls-pass-certificate-to-upstream}: true or false (default false);</li>
 *   <li>{@code auth-tls-error-page}: an http(s) URL or an absolute path clients that fail are redirected to.</li>
 * </ul>
 *
 * Settings that cannot be honoured (a missing Secret, no or an unreadable ca.crt, another namespace, a bad value)
 * are an error on the Ingress and a {@link ClientAuth} whose {@code problem} says why: proxies then refuse TLS for
 * its hosts rather than let clients in without a certificate (ingress-nginx denies the locations). Pure.
 */
final class ClientAuthTls {
    static final String SECRET = "auth-tls-secret";
    static final String VERIFY = "auth-tls-verify-client";
    static final String DEPTH = "auth-tls-verify-depth";
    static final String PASS = "auth-tls-pass-certificate-to-upstream";
    static final String ERROR_PAGE = "auth-tls-error-page";
    private static final List<String> WITH_SECRET = List.of(VERIFY, DEPTH, PASS, ERROR_PAGE);

    private ClientAuthTls() {
    }

    /** The client authentication of {@code ingress}'s TLS hosts, or null for none; problems become diagnostics. */
    static ClientAuth of(ClusterModel model, ObjectKey ingress, Map<String, String> annotations, Diagnostics diagnostics) {
        Named secretRef = named(annotations, SECRET);
        if (secretRef == null) {
            List<String> ignored = WITH_SECRET.stream().map(n -> named(annotations, n)).filter(n -> n != null)
                    .map(Named::name).toList();
            if (!ignored.isEmpty()) {
                diagnostics.warning(ingress, "annotations " + ignored + " ignored: no " + Annotations.NGINX + SECRET
                        + " names the CA that verifies client certificates");
            }
            return null;
        }
        String ref = secretRef.value();
        int slash = ref.indexOf('/');
        String namespace = slash < 0 ? ingress.namespace() : ref.substring(0, slash);
        String name = ref.substring(slash + 1);
        String secret = TlsSecretState.sealingContext(ingress.clusterId(), namespace, name);
        if (!namespace.equals(ingress.namespace())) {
            return broken(ingress, diagnostics, secret, secretRef.name() + ": secret " + ref + " is in another namespace;"
                    + " an Ingress may only use Secrets of its own namespace (" + ingress.namespace() + ")");
        }

        ClientAuth.Verify verify = ClientAuth.Verify.ON;
        Named v = named(annotations, VERIFY);
        if (v != null) {
            try {
                verify = ClientAuth.Verify.valueOf(v.value().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return broken(ingress, diagnostics, secret, v.name() + ": \"" + v.value()
                        + "\" is not on, off, optional or optional_no_ca");
            }
        }
        int depth = 1;
        Named d = named(annotations, DEPTH);
        if (d != null) {
            try {
                depth = Integer.parseInt(d.value());
            } catch (NumberFormatException e) {
                depth = 0;
            }
            if (depth < 1 || depth > 10) {
                return broken(ingress, diagnostics, secret, d.name() + ": \"" + d.value() + "\" is not a depth from 1 to 10");
            }
        }
        boolean pass = false;
        Named p = named(annotations, PASS);
        if (p != null) {
            if (!p.value().equalsIgnoreCase("true") && !p.value().equalsIgnoreCase("false")) {
                return broken(ingress, diagnostics, secret, p.name() + ": \"" + p.value() + "\" is not true or false");
            }
            pass = p.value().equalsIgnoreCase("true");
        }
        String errorPage = null;
        Named e = named(annotations, ERROR_PAGE);
        if (e != null) {
            if (!errorPage(e.value())) {
                return broken(ingress, diagnostics, secret, e.name() + ": \"" + e.value()
                        + "\" is not an http(s) URL or an absolute path");
            }
            errorPage = e.value();
        }

        String shown = namespace + "/" + name;
        StoredObject s = name.isEmpty() ? null : model.get(new ObjectKey(ingress.clusterId(), Kind.SECRET, namespace, name));
        if (s == null) {
            return broken(ingress, diagnostics, secret, "CA secret " + shown
                    + " does not exist (or is not of type kubernetes.io/tls)");
        }
        String ca = ((TlsSecretState) s.state()).caCertificatePem();
        if (ca == null || ca.isBlank()) {
            return broken(ingress, diagnostics, secret, "CA secret " + shown + " has no ca.crt");
        }
        if (Certificates.parse(ca) instanceof Certificates.Unreadable u) {
            return broken(ingress, diagnostics, secret, "CA secret " + shown + ": ca.crt does not parse (" + u.reason() + ")");
        }
        return new ClientAuth(secret, ca, verify, depth, pass, errorPage, null);
    }

    /** An absolute path or an http(s) URL, with no character that could end a header field or a URL. */
    private static boolean errorPage(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("http://") || lower.startsWith("https://") || value.startsWith("/"))
                || value.startsWith("//")) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static ClientAuth broken(ObjectKey ingress, Diagnostics diagnostics, String secret, String problem) {
        diagnostics.error(ingress, "client certificates: " + problem + "; its TLS hosts refuse connections");
        return new ClientAuth(secret, null, ClientAuth.Verify.ON, 1, false, null, problem);
    }

    private record Named(String name, String value) {
    }

    /** Our annotation, else ingress-nginx's; trimmed. */
    private static Named named(Map<String, String> annotations, String suffix) {
        for (String prefix : List.of(Annotations.SIGNALBOX, Annotations.NGINX)) {
            String v = annotations.get(prefix + suffix);
            if (v != null) {
                return new Named(prefix + suffix, v.trim());
            }
        }
        return null;
    }
}
