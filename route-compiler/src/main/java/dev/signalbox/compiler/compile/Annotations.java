package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.Diagnostic;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What Signalbox does with each Ingress annotation under {@value #NGINX} (every annotation ingress-nginx
 * documents or parses, controller v1.15, plus a few it has removed) and under {@value #SIGNALBOX}: honoured
 * as ingress-nginx does, honoured with a difference, not supported (with what to do instead), refused
 * (code injection), or unknown (a typo). One table for the compiler's diagnostics and for
 * {@code bin/ingress migrate}, so the two never disagree. Pure; any thread.
 *
 * <p>A row's verdict ({@link #classify}) is the annotation's in general: "different" when some value differs. Where
 * the difference depends on the value (or on the rest of the Ingress), the row also has a judge, and {@link #review}
 * gives each use its own verdict: "supported" for a value Signalbox handles as ingress-nginx does, else the row's
 * verdict with a note naming the part that applies. A judge asks the compiler's own parsers and checks (a malformed
 * value is one they report an error on, a regular expression one {@link HostAnnotations#invalidRegex} refuses), so
 * the verdict and the compiler's behaviour cannot drift apart. A row without a judge differs whatever the value; its
 * note says why.
 *
 * <p>Under {@value #SIGNALBOX}, an ingress-nginx name means the same as under {@value #NGINX}, except where
 * Signalbox has its own name for the setting (backend TLS), which is then the alternative.
 */
public final class Annotations {
    public static final String NGINX = "nginx.ingress.kubernetes.io/";
    public static final String SIGNALBOX = "signalbox.dev/";

    public enum Support {
        /** Honoured as ingress-nginx honours it. */
        SUPPORTED,
        /** Honoured, with a difference the note names. */
        DIFFERENT,
        /** Ignored, with a warning; the note says what to use instead. */
        UNSUPPORTED,
        /** Injects proxy configuration or code: the Ingress is not routed, with an error. */
        REFUSED,
        /** Not an annotation ingress-nginx or Signalbox knows under this prefix (a typo?): ignored, with a warning. */
        UNKNOWN;

        /** Whether an Ingress carrying it would behave differently under Signalbox than under ingress-nginx. */
        public boolean differs() {
            return this != SUPPORTED;
        }
    }

    /**
     * @param annotation the whole annotation key
     * @param note       for DIFFERENT the difference, for UNSUPPORTED and REFUSED the alternative, else ""
     */
    public record Verdict(String annotation, Support support, String note) {
    }

    /** A row: the verdict in general, and the judge of one use, or null when the value changes nothing. */
    private record Row(Verdict verdict, Judge judge) {
    }

    /** Decides one use's verdict from its value and its Ingress; null keeps the row's. */
    @FunctionalInterface
    private interface Judge {
        Judged judge(Use use);
    }

    /** A judge's verdict on one use; the note as {@link Verdict}'s. */
    private record Judged(Support support, String note) {
    }

    private static final Map<String, Row> CATALOGUE = build();

    private Annotations() {
    }

    /** The verdict on one annotation key, or empty when it is under neither prefix (Signalbox does not read it). */
    public static Optional<Verdict> classify(String annotation) {
        if (!annotation.startsWith(NGINX) && !annotation.startsWith(SIGNALBOX)) {
            return Optional.empty();
        }
        Row known = CATALOGUE.get(annotation);
        if (known != null) {
            return Optional.of(known.verdict());
        }
        String prefix = annotation.startsWith(NGINX) ? NGINX : SIGNALBOX;
        return Optional.of(new Verdict(annotation, Support.UNKNOWN, "not an annotation "
                + (prefix.equals(NGINX) ? "ingress-nginx" : "Signalbox") + " defines (a typo?); ignored"));
    }

    /**
     * The verdicts on an Ingress's annotations under either prefix, by annotation key, each judged on its value and
     * the Ingress where its row has a judge.
     */
    public static List<Verdict> review(IngressState ingress) {
        List<Verdict> out = new ArrayList<>();
        Use.Errors errors = new Use.Errors(ingress);
        for (Map.Entry<String, String> a : new TreeMap<>(ingress.annotations()).entrySet()) {
            Optional<Verdict> general = classify(a.getKey());
            if (general.isEmpty()) {
                continue;
            }
            Row row = CATALOGUE.get(a.getKey());
            Judged judged = row == null || row.judge() == null ? null
                    : row.judge().judge(new Use(a.getKey(), a.getValue(), ingress, errors));
            out.add(judged == null ? general.get() : new Verdict(a.getKey(), judged.support(), judged.note()));
        }
        return out;
    }

    /** Every annotation the catalogue knows, by key, with its verdict in general. */
    public static List<Verdict> catalogue() {
        return CATALOGUE.values().stream().map(Row::verdict).toList();
    }

    /**
     * One use of an annotation: its key, its value and its Ingress, with the errors the compiler's annotation parsers
     * report on that Ingress (computed once per review, when a judge first asks).
     */
    private record Use(String key, String value, IngressState ingress, Errors errors) {
        /** The value as ingress-nginx reads it: trimmed. */
        String trimmed() {
            return value == null ? "" : value.trim();
        }

        /** Go's strconv.ParseBool of the value, as ingress-nginx and the compiler read booleans; null when malformed. */
        Boolean bool() {
            return PathAnnotations.parseBool(trimmed());
        }

        /** Another annotation of the Ingress under the same prefix, or null. */
        String other(String name) {
            return ingress.annotations().get(key.substring(0, key.indexOf('/') + 1) + name);
        }

        /** The compiler's error on this annotation ("annotation KEY: ..."), or null when it accepts the value. */
        String error() {
            return errors.about(key, ingress.annotations());
        }

        /**
         * The compiler's error on this annotation when another one of the Ingress reads {@code value} instead (a
         * parser that stops at an earlier malformed annotation would not look at this one), or null.
         */
        String errorWith(String name, String otherValue) {
            Map<String, String> changed = new TreeMap<>(ingress.annotations());
            changed.put(key.substring(0, key.indexOf('/') + 1) + name, otherValue);
            return errors.about(key, changed);
        }

        /** The compiler's error on another annotation of the Ingress, under either prefix, or null. */
        String errorOn(String name) {
            String bad = errors.about(NGINX + name, ingress.annotations());
            return bad != null ? bad : errors.about(SIGNALBOX + name, ingress.annotations());
        }

        /** The compiler's error on the first path of the Ingress that RE2 does not accept as a regular expression. */
        String invalidRegexPath(java.util.function.Predicate<String> regex) {
            for (IngressState.Rule r : ingress.rules()) {
                for (IngressState.PathRule p : r.paths()) {
                    if (p.path() != null && regex.test(p.path())) {
                        String bad = HostAnnotations.invalidRegex(p.path());
                        if (bad != null) {
                            return bad;
                        }
                    }
                }
            }
            return null;
        }

        /** The compiler's errors on an Ingress's annotations, by the annotations they were read from. */
        static final class Errors {
            private static final ObjectKey KEY = new ObjectKey("review", Kind.INGRESS, "review", "review");
            private final IngressState ingress;
            private final Map<Map<String, String>, List<String>> byAnnotations = new HashMap<>();

            Errors(IngressState ingress) {
                this.ingress = ingress;
            }

            String about(String key, Map<String, String> annotations) {
                List<String> messages = byAnnotations.computeIfAbsent(annotations, Errors::parse);
                for (String m : messages) {
                    if (m.startsWith("annotation " + key + ":") || m.startsWith("annotation " + key + " ")) {
                        return m;
                    }
                }
                return null;
            }

            /** What the compiler's parsers of every annotation family say about these annotations: errors only. */
            private static List<String> parse(Map<String, String> annotations) {
                Diagnostics d = new Diagnostics();
                PathAnnotations.of(KEY, annotations, d);
                TrafficAnnotations.of(KEY, annotations, d);
                LimitAnnotations.of(KEY, annotations, d);
                BackendAnnotations.of(KEY, annotations, d);
                AccessAnnotations.of(new ClusterModel(), KEY, annotations, d);
                return d.sorted().stream().filter(x -> x.severity() == Diagnostic.Severity.ERROR)
                        .map(Diagnostic::message).toList();
            }
        }
    }

    private static final Judged SAME = new Judged(Support.SUPPORTED, "");

    private static Judged differs(String note) {
        return new Judged(Support.DIFFERENT, note);
    }

    /** Supported when the value is false (ingress-nginx's default, so nothing differs), else the row's verdict. */
    private static Judge whenFalse() {
        return u -> Boolean.FALSE.equals(u.bool()) ? SAME : null;
    }

    /** Supported when the value is {@code same} (as the compiler reads it: trimmed, same case), else the row's verdict. */
    private static Judge when(String same) {
        return u -> u.trimmed().equals(same) ? SAME : null;
    }

    /** Supported when the compiler accepts the value (the row's difference is about malformed values only). */
    private static Judge unlessMalformed() {
        return u -> u.error() == null ? SAME : null;
    }

    // The alternatives, one per family.
    private static final String LATER = "not supported yet (planned, issue 18); ";
    private static final String SNIPPET = "it injects raw nginx configuration into the proxy (code injection, the "
            + "IngressNightmare CVEs); Signalbox runs no nginx and takes no configuration code from Ingresses: express "
            + "the intent with a supported annotation, or do it in the application";
    private static final String REWRITE = LATER + "have the backend serve the path the Ingress routes, or redirect in "
            + "the application";
    private static final String AUTH = "not supported; authenticate in the application, or with auth-url and the "
            + "headers it returns (auth-response-headers)";
    private static final String CLIENT_CERT = "not supported; check the certificate's subject, sent to the backend "
            + "as ssl-client-subject-dn, in the application";
    private static final String BUFFER = "Signalbox streams requests and responses with its own flow control; "
            + "nginx buffer settings have no equivalent and are not needed";
    private static final String HEADERS = LATER + "set headers in the application";
    private static final String OBSERVE = "Signalbox's access log and metrics are configured per proxy, not per "
            + "Ingress; tracing per Ingress is not supported";
    private static final String WAF = "Signalbox has no web application firewall; put one (e.g. Coraza, ModSecurity) "
            + "in front of or behind the proxy";
    private static final String MIRROR = "request mirroring is not supported; mirror in the application or a mesh";
    private static final String TLS_FRONT = "TLS towards clients is Signalbox's own (TLS 1.2 and 1.3, JDK cipher "
            + "suites) for every host; per-Ingress settings are not supported";
    private static final String REMOVED = "removed from ingress-nginx itself; not supported";

    private static Map<String, Row> build() {
        Map<String, Row> m = new TreeMap<>();
        // Paths and redirects.
        // ingress-nginx makes a path a regular expression where the target differs from it (PathAnnotations.Spec).
        both(m, "rewrite-target", Support.SUPPORTED, "", u -> {
            String bad = u.invalidRegexPath(path -> !path.equals(u.trimmed()));
            return bad == null ? null : differs("the rewritten paths become regular expressions, as in ingress-nginx, "
                    + "and " + bad + ": an error on the Ingress, and that path is not routed (nginx's PCRE takes it)");
        });
        supported(m, "app-root");
        supported(m, "x-forwarded-prefix");
        different(m, "use-regex", "regular expressions are RE2 (linear time: no backreferences or lookaround, which "
                + "nginx's PCRE has): a path RE2 refuses is an error on the Ingress and is not routed; a path RE2 "
                + "takes matches as under PCRE, on the normalised request path as every path does (README: %2F stays "
                + "encoded)", u -> {
                    Boolean on = u.bool();
                    if (on == null) {
                        return null;
                    }
                    String bad = on ? u.invalidRegexPath(path -> true) : null;
                    return bad == null ? SAME : differs(bad + ": an error on the Ingress, and that path is not routed "
                            + "(nginx's PCRE takes it)");
                });
        unsupported(m, REWRITE, "preserve-trailing-slash", "proxy-redirect-from", "proxy-redirect-to",
                "relative-redirects", "use-port-in-redirects");
        supported(m, "permanent-redirect");
        supported(m, "permanent-redirect-code");
        supported(m, "temporal-redirect");
        supported(m, "temporal-redirect-code");
        different(m, "from-to-www-redirect", "with true, "
                + "over HTTPS the other name is served with its own certificate only when a "
                + "TLS entry lists it (ingress-nginx reuses the host's when its CN fits); the redirect keeps the port "
                + "the request came in on, as ingress-nginx does", whenFalse());
        different(m, "server-alias", "host names and one-label wildcards only (no nginx regular-expression names); "
                + "over HTTPS an alias is served with its own certificate only when a TLS entry lists it");
        supported(m, "ssl-redirect");
        different(m, "force-ssl-redirect", "with true, "
                + "every host of the Ingress is redirected to HTTPS (308), with or without "
                + "spec.tls; a request counts as HTTPS behind a TLS-terminating load balancer only when the proxy trusts "
                + "it (--trusted-proxies; ingress-nginx's use-forwarded-headers) and its X-Forwarded-Proto says https",
                whenFalse());
        // Backend protocol and TLS to the backends.
        different(m, "backend-protocol", "HTTP, HTTPS, GRPC, GRPCS and H2C (GRPC and H2C: HTTP/2 without TLS; GRPCS: "
                + "HTTP/2 over TLS with the proxy-ssl settings); AJP, FCGI and AUTO_HTTP are an error on the Ingress (its "
                + "backends answer 503); HTTP is as in ingress-nginx, the others differ as the report's note says",
                Annotations::backendProtocol);
        different(m, "proxy-ssl-secret", "whatever the value (it depends on the Secret): "
                + "the Secret must be in the Ingress's own namespace (ingress-nginx accepts any "
                + "namespace/name); its ca.crt verifies, its tls.crt and tls.key are the client certificate");
        supported(m, "proxy-ssl-verify");
        different(m, "proxy-ssl-name", "also sent as SNI, whatever proxy-ssl-server-name says", u ->
                "on".equalsIgnoreCase(String.valueOf(u.other("proxy-ssl-server-name")).trim()) ? SAME : null);
        different(m, "proxy-ssl-server-name", "SNI is always sent (the Service's DNS name or proxy-ssl-name); "
                + "\"off\" is not honoured, and \"on\" without proxy-ssl-name sends the Service's DNS name (nginx: its "
                + "upstream's name)", u -> u.trimmed().equalsIgnoreCase("on") && u.other("proxy-ssl-name") != null
                ? SAME : null);
        unsupported(m, "TLS to backends uses the JDK's protocols (TLS 1.2, 1.3) and cipher suites, and verifies the "
                + "whole chain", "proxy-ssl-ciphers", "proxy-ssl-protocols", "proxy-ssl-verify-depth");
        // Limits and timeouts.
        different(m, "proxy-body-size", "a limit other than 0 is "
                + "checked on requests that are forwarded (nginx checks every location); a "
                + "body without Content-Length that grows past the limit has been streamed in part to the backend, "
                + "whose connection is then closed (nginx buffers it and never sends it); the client gets 413 and the "
                + "connection closes", when("0"));
        supported(m, "proxy-connect-timeout");
        different(m, "proxy-read-timeout", "whatever the value, it "
                + "bounds the wait for the response head (504) and a tunnel's silence; "
                + "between later reads of a response body the client connection's 60 s idle close applies");
        different(m, "proxy-send-timeout", "whatever the value, it "
                + "applies to tunnels (WebSocket); a request body a backend stops reading is "
                + "bounded by the client connection's 60 s idle close");
        different(m, "proxy-next-upstream", "whatever the value, "
                + "a request whose body bytes reached a backend is never tried again (the "
                + "proxy streams bodies, nginx buffers them); invalid_header acts as error does");
        supported(m, "proxy-next-upstream-timeout");
        supported(m, "proxy-next-upstream-tries");
        different(m, "client-body-buffer-size", "accepted and validated; whatever the value, the proxy streams request "
                + "bodies and buffers none");
        different(m, "proxy-buffering", "accepted, on or off: responses are always streamed to the client as they "
                + "arrive (as with off, ingress-nginx's default), so server-sent events and long polls are never held; on "
                + "does not buffer", when("off"));
        unsupported(m, BUFFER, "proxy-buffers-number", "proxy-buffer-size", "proxy-busy-buffers-size",
                "proxy-max-temp-file-size", "proxy-request-buffering");
        unsupported(m, "Signalbox speaks HTTP/1.1 to backends", "proxy-http-version");
        unsupported(m, LATER + "backend connections are kept alive and pooled by the proxy", "connection-proxy-header");
        // Access control.
        supported(m, "whitelist-source-range");
        supported(m, "allowlist-source-range");
        supported(m, "denylist-source-range");
        supported(m, "limit-rps");
        supported(m, "limit-rpm");
        supported(m, "limit-connections");
        supported(m, "limit-burst-multiplier");
        supported(m, "limit-whitelist");
        supported(m, "limit-allowlist");
        unsupported(m, "bandwidth per connection is not limited; limit it at the load balancer or in the application",
                "limit-rate", "limit-rate-after");
        different(m, "auth-type", "basic only: digest is an error on the Ingress (its paths answer 503)", when("basic"));
        different(m, "auth-secret", "whatever the value (it depends on the Secret): "
                + "the Secret must be in the Ingress's own namespace (name or namespace/name); the "
                + "watcher publishes only Secrets an auth-secret names, their data sealed like TLS keys, so it needs "
                + "--encryption-keys; hashes: bcrypt ($2y$, $2a$, $2b$), SHA1 ({SHA}) and APR1 MD5 ($apr1$), not "
                + "crypt(3) DES or plain text");
        supported(m, "auth-secret-type");
        supported(m, "auth-realm");
        different(m, "auth-url", "an http or https URL without nginx variables (with one: an error, the paths answer "
                + "503) and with a path or a query (without either the service is asked at /; ingress-nginx asks at "
                + "its internal location's path, /_external-auth-...); the service then gets ingress-nginx's request, "
                + "and its answer is used as ingress-nginx uses it", u -> {
                    String bad = u.error();
                    if (bad != null) {
                        return differs(bad + (u.trimmed().indexOf('$') >= 0 ? " (ingress-nginx expands the variables)" : ""));
                    }
                    java.net.URI url = java.net.URI.create(u.trimmed());
                    // nginx's proxy_pass sends a URL's path and query as they are ("/" before a bare query), and without
                    // either the auth location's own path.
                    boolean bare = (url.getRawPath() == null || url.getRawPath().isEmpty()) && url.getRawQuery() == null;
                    return bare ? differs("a URL without a path: the service is asked at / "
                            + "(ingress-nginx asks at its internal location's path, /_external-auth-...)") : SAME;
                });
        supported(m, "auth-method");
        different(m, "auth-signin", "the variables $host, $http_host, $best_http_host, $scheme, $pass_access_scheme, "
                + "$request_uri and $escaped_request_uri only: another is an error on the Ingress (its paths answer 503)",
                u -> {
                    // The compiler reads auth-signin only with a usable auth-url; that one's verdict is its own.
                    String bad = u.errorWith("auth-url", "http://auth-url.invalid/");
                    return bad == null ? SAME : differs(bad);
                });
        supported(m, "auth-signin-redirect-param");
        supported(m, "auth-response-headers");
        supported(m, "auth-request-redirect");
        different(m, "auth-cache-key", "whatever the value, answers are remembered per proxy, in memory (10,000 at "
                + "most; nginx: its cache zone); the variables $http_*, $cookie_*, $remote_user, $remote_addr, $host and "
                + "$request_uri only");
        supported(m, "auth-cache-duration");
        unsupported(m, "connections to the auth-url service are kept alive and pooled by the proxy, as to backends",
                "auth-keepalive", "auth-keepalive-requests", "auth-keepalive-share-vars", "auth-keepalive-timeout");
        unsupported(m, AUTH, "auth-proxy-set-headers", "auth-always-set-cookie", "enable-global-auth", "satisfy");
        different(m, "auth-tls-secret", "whatever the value (it depends on the Secret): "
                + "a kubernetes.io/tls Secret (with ca.crt) of the Ingress's own namespace; "
                + "ingress-nginx accepts any namespace and Opaque Secrets");
        supported(m, "auth-tls-verify-client");
        supported(m, "auth-tls-verify-depth");
        supported(m, "auth-tls-pass-certificate-to-upstream");
        supported(m, "auth-tls-error-page");
        unsupported(m, CLIENT_CERT, "auth-tls-match-cn");
        // Traffic.
        different(m, "canary", "a canary of spec.defaultBackend (a catch-all canary) is not supported, only of paths "
                + "another Ingress routes; a malformed canary annotation is an error and the canary gets no requests "
                + "(ingress-nginx takes the annotation's default)", Annotations::canary);
        for (String n : List.of("canary-by-header", "canary-by-header-value", "canary-by-cookie", "canary-weight",
                "canary-weight-total")) {
            supported(m, n);
        }
        different(m, "canary-by-header-pattern", "RE2 syntax (linear time: no backreferences or lookaround, which "
                + "nginx's PCRE has); an expression RE2 refuses is an error on the canary Ingress", unlessMalformed());
        for (String n : List.of("affinity", "affinity-canary-behavior", "session-cookie-name", "session-cookie-path",
                "session-cookie-domain", "session-cookie-max-age", "session-cookie-expires", "session-cookie-secure",
                "session-cookie-samesite", "session-cookie-conditional-samesite-none",
                "session-cookie-change-on-failure")) {
            supported(m, n);
        }
        different(m, "affinity-mode", "persistent is as in ingress-nginx; "
                + "balanced keeps sessions as persistent does: a session moves only when its "
                + "endpoint is gone (ingress-nginx's balanced mode moves some sessions to endpoints added by a scale-up)",
                when("persistent"));
        different(m, "load-balance", "round_robin (the default) is as in ingress-nginx; "
                + "ewma measures the time to the response head (nginx: connect and whole response), "
                + "and an endpoint not measured yet scores 0 (ingress-nginx: the others' average)", when("round_robin"));
        different(m, "upstream-hash-by", "whatever the key, "
                + "a consistent-hash ring of the endpoints (a key keeps its endpoint while that "
                + "endpoint is ready; one added takes about 1/n of the keys), not nginx's: the same key may go to another "
                + "endpoint than under ingress-nginx; variables: request_uri, uri, args, query_string, remote_addr, host, "
                + "scheme, http_*, cookie_*, arg_*; endpoints of every zone are on the ring");
        different(m, "upstream-hash-by-subset", "with true, "
                + "subsets are consecutive runs of the endpoints in Signalbox's order "
                + "(by address and port; the last filled up from the first, as ingress-nginx does in its own order) on "
                + "Signalbox's ring, so a key may pick another subset than under ingress-nginx; within the subset an "
                + "endpoint the proxy ejected is skipped; without upstream-hash-by it is ignored with a warning",
                whenFalse());
        different(m, "upstream-hash-by-subset-size", "a value that is not a positive integer (at most 1000) is an error "
                + "on the Ingress (ingress-nginx takes its default, 3); how subsets differ is upstream-hash-by-subset's "
                + "verdict", unlessMalformed());
        different(m, "service-upstream", "with true, "
                + "the Service's cluster IP and port is the route's one endpoint, so nothing "
                + "is retried elsewhere and affinity has no choice to make, as in ingress-nginx; a headless or ExternalName "
                + "Service (no cluster IP) is an error on the Ingress and its routes answer 503 (ingress-nginx falls back "
                + "to the endpoints)", whenFalse());
        different(m, "upstream-vhost", "a host name with an optional port; nginx variables ($host, ...) are not "
                + "expanded (an error on the Ingress)", unlessMalformed());
        supported(m, "default-backend");
        different(m, "custom-http-errors", "whatever the codes, "
                + "the default backend's answer is sent as it is, its status included, as "
                + "ingress-nginx does (a custom error backend answers with X-Code); without default-backend the proxy "
                + "answers with its own page and the backend's status (ingress-nginx asks the controller's global default "
                + "backend, which Signalbox does not have); the request to the default backend has no body, and a response "
                + "that arrives before the whole request was sent is passed through as it is");
        unsupported(m, LATER + "remove custom-http-errors from the Ingress instead", "disable-proxy-intercept-errors");
        both(m, "ssl-passthrough", Support.UNSUPPORTED, "TLS passthrough is not supported: Signalbox terminates TLS "
                + "for the hosts under spec.tls", whenFalse());
        unsupported(m, "FastCGI backends are not supported; put an HTTP server (e.g. php-fpm behind nginx or Caddy) "
                + "in the pod", "fastcgi-index", "fastcgi-params-configmap");
        // Headers.
        supported(m, "enable-cors");
        different(m, "cors-allow-origin", "an Origin must match an entry whole (ingress-nginx's pattern is anchored "
                + "at the end only, so there xhttps://a.com also matches https://a.com); an entry without a scheme is "
                + "skipped with a warning (ingress-nginx skips it silently)");
        supported(m, "cors-allow-methods");
        supported(m, "cors-allow-headers");
        supported(m, "cors-allow-credentials");
        supported(m, "cors-expose-headers");
        supported(m, "cors-max-age");
        different(m, "custom-headers", "whatever the value (it depends on the ConfigMap): "
                + "namespace/name of a ConfigMap of the Ingress's own namespace (the watcher "
                + "publishes only the ConfigMaps Ingresses name); there is no global-allowed-response-headers: every name "
                + "of letters, digits, '-' and '_' is allowed but those the proxy owns (framing, Host, X-Forwarded-*, "
                + "X-Real-IP, ssl-client-*), which deny the paths (503) with an error, as a missing ConfigMap or a "
                + "malformed field does; at most 64 fields, values of 4096 characters");
        put(m, NGINX + "proxy-set-headers", Support.UNSUPPORTED, "not an annotation of ingress-nginx, which ignores it "
                + "(proxy-set-headers is a key of its controller ConfigMap); per Ingress, name the ConfigMap in "
                + SIGNALBOX + "proxy-set-headers");
        unsupported(m, HEADERS, "proxy-cookie-domain", "proxy-cookie-path");
        unsupported(m, "HTTP/2 server push is obsolete (browsers dropped it); use 103 Early Hints from the application",
                "http2-push-preload");
        // Client TLS, observability, security modules, mirroring.
        unsupported(m, TLS_FRONT, "ssl-ciphers", "ssl-prefer-server-ciphers");
        unsupported(m, OBSERVE, "enable-access-log", "enable-rewrite-log", "enable-opentelemetry",
                "opentelemetry-trust-incoming-span", "opentelemetry-operation-name");
        unsupported(m, WAF, "enable-modsecurity", "enable-owasp-core-rules", "modsecurity-transaction-id");
        unsupported(m, MIRROR, "mirror-target", "mirror-host", "mirror-request-body");
        unsupported(m, REMOVED, "enable-opentracing", "opentracing-trust-incoming-span", "enable-influxdb",
                "influxdb-measurement", "influxdb-port", "influxdb-host", "influxdb-server-name", "global-rate-limit",
                "global-rate-limit-window", "global-rate-limit-key", "global-rate-limit-ignored-cidrs",
                "secure-backends", "grpc-backend", "add-base-url", "base-url-scheme", "upstream-fail-timeout",
                "upstream-max-fails", "session-cookie-hash");
        // Code injection. ingress-nginx has no annotation that carries Lua by itself: Lua arrives through these.
        refused(m, SNIPPET, "configuration-snippet", "server-snippet", "stream-snippet", "auth-snippet",
                "modsecurity-snippet");

        // Signalbox's own names for backend TLS; the ingress-nginx names for them point there under our prefix.
        put(m, SIGNALBOX + "backend-tls-secret", Support.SUPPORTED, "");
        put(m, SIGNALBOX + "backend-tls-verify", Support.SUPPORTED, "");
        put(m, SIGNALBOX + "backend-tls-server-name", Support.SUPPORTED, "");
        put(m, SIGNALBOX + "proxy-ssl-secret", Support.UNSUPPORTED, "use " + SIGNALBOX + "backend-tls-secret");
        put(m, SIGNALBOX + "proxy-ssl-verify", Support.UNSUPPORTED, "use " + SIGNALBOX + "backend-tls-verify (true/false)");
        put(m, SIGNALBOX + "proxy-ssl-name", Support.UNSUPPORTED, "use " + SIGNALBOX + "backend-tls-server-name");
        put(m, SIGNALBOX + "proxy-ssl-server-name", Support.UNSUPPORTED, "SNI is always sent; set "
                + SIGNALBOX + "backend-tls-server-name to choose it");
        put(m, SIGNALBOX + "ssl-redirect", Support.SUPPORTED, "");
        put(m, SIGNALBOX + "response-headers", Support.SUPPORTED, "");
        put(m, SIGNALBOX + "proxy-set-headers", Support.SUPPORTED, "");
        return Collections.unmodifiableMap(m);
    }

    /** backend-protocol: HTTP is ingress-nginx's; each other value with the part of the difference that applies. */
    private static Judged backendProtocol(Use u) {
        String protocol = u.trimmed().toUpperCase(Locale.ROOT);
        boolean sameSni = "on".equalsIgnoreCase(String.valueOf(u.other("proxy-ssl-server-name")).trim())
                && u.other("proxy-ssl-name") != null;
        return switch (protocol) {
            case "HTTP" -> SAME;
            case "HTTPS" -> sameSni ? SAME : differs("HTTPS: SNI is always sent, the Service's DNS name or proxy-ssl-name "
                    + "(ingress-nginx sends none unless proxy-ssl-server-name is on; with it and proxy-ssl-name the two "
                    + "send the same)");
            case "GRPC", "GRPCS" -> differs(protocol + ": HTTP/2 " + (protocol.equals("GRPC") ? "without TLS" : "over TLS "
                    + "with SNI always sent") + ", as ingress-nginx's grpc_pass; kept as a difference until the requests "
                    + "nginx's gRPC module sends (:authority, timeouts) are compared with Signalbox's");
            case "H2C" -> differs("H2C is Signalbox's own value (HTTP/2 without TLS); ingress-nginx does not know it");
            default -> differs("\"" + u.trimmed() + "\" is an error on the Ingress, whose backends answer 503 (HTTP, "
                    + "HTTPS, GRPC, GRPCS and H2C only; ingress-nginx also speaks AJP, FastCGI and AUTO_HTTP)");
        };
    }

    /** The canary annotations other than canary itself, which the compiler reads only on a canary. */
    private static final List<String> CANARY_RULES = List.of("canary-by-header", "canary-by-header-value",
            "canary-by-header-pattern", "canary-by-cookie", "canary-weight", "canary-weight-total");

    /** canary: false is no canary, as in ingress-nginx; true differs for a catch-all canary or a malformed rule. */
    private static Judged canary(Use u) {
        Boolean on = u.bool();
        if (on == null) {
            return null;
        }
        if (!on) {
            return SAME;
        }
        if (u.ingress().defaultBackend() != null) {
            return differs("a canary of spec.defaultBackend (a catch-all canary) is not supported, only of paths another "
                    + "Ingress routes");
        }
        for (String n : CANARY_RULES) {
            String bad = u.errorOn(n);
            if (bad != null) {
                return differs(bad + ": the canary gets no requests (ingress-nginx takes the annotation's default)");
            }
        }
        return SAME;
    }

    private static void supported(Map<String, Row> m, String name) {
        both(m, name, Support.SUPPORTED, "", null);
    }

    private static void different(Map<String, Row> m, String name, String difference) {
        different(m, name, difference, null);
    }

    /** Different in general; {@code judge} says which values are not. */
    private static void different(Map<String, Row> m, String name, String difference, Judge judge) {
        both(m, name, Support.DIFFERENT, difference, judge);
    }

    private static void unsupported(Map<String, Row> m, String alternative, String... names) {
        for (String n : names) {
            both(m, n, Support.UNSUPPORTED, alternative, null);
        }
    }

    private static void refused(Map<String, Row> m, String alternative, String... names) {
        for (String n : names) {
            both(m, n, Support.REFUSED, alternative, null);
        }
    }

    /** The ingress-nginx name, and the same under our prefix (entries put later for our prefix replace it). */
    private static void both(Map<String, Row> m, String name, Support support, String note, Judge judge) {
        put(m, NGINX + name, support, note, judge);
        put(m, SIGNALBOX + name, support, note, judge);
    }

    private static void put(Map<String, Row> m, String key, Support support, String note) {
        put(m, key, support, note, null);
    }

    private static void put(Map<String, Row> m, String key, Support support, String note, Judge judge) {
        m.put(key, new Row(new Verdict(key, support, note), judge));
    }
}
