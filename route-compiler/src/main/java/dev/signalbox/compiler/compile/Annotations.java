package dev.signalbox.compiler.compile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    private static final Map<String, Verdict> CATALOGUE = build();

    private Annotations() {
    }

    /** The verdict on one annotation key, or empty when it is under neither prefix (Signalbox does not read it). */
    public static Optional<Verdict> classify(String annotation) {
        if (!annotation.startsWith(NGINX) && !annotation.startsWith(SIGNALBOX)) {
            return Optional.empty();
        }
        Verdict known = CATALOGUE.get(annotation);
        if (known != null) {
            return Optional.of(known);
        }
        String prefix = annotation.startsWith(NGINX) ? NGINX : SIGNALBOX;
        return Optional.of(new Verdict(annotation, Support.UNKNOWN, "not an annotation "
                + (prefix.equals(NGINX) ? "ingress-nginx" : "Signalbox") + " defines (a typo?); ignored"));
    }

    /** The verdicts on an Ingress's annotations under either prefix, by annotation key. */
    public static List<Verdict> review(Map<String, String> annotations) {
        List<Verdict> out = new ArrayList<>();
        new TreeMap<>(annotations).keySet().forEach(k -> classify(k).ifPresent(out::add));
        return out;
    }

    /** Every annotation the catalogue knows, by key. */
    public static List<Verdict> catalogue() {
        return List.copyOf(CATALOGUE.values());
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

    private static Map<String, Verdict> build() {
        Map<String, Verdict> m = new TreeMap<>();
        // Paths and redirects.
        supported(m, "rewrite-target");
        supported(m, "app-root");
        supported(m, "x-forwarded-prefix");
        different(m, "use-regex", "regular expressions are RE2 (linear time: no backreferences or lookaround, which "
                + "nginx's PCRE has), matched on the normalised path, where escapes of reserved characters such as %2F "
                + "stay encoded (nginx matches the decoded path)");
        unsupported(m, REWRITE, "preserve-trailing-slash", "proxy-redirect-from", "proxy-redirect-to",
                "relative-redirects", "use-port-in-redirects");
        supported(m, "permanent-redirect");
        supported(m, "permanent-redirect-code");
        supported(m, "temporal-redirect");
        supported(m, "temporal-redirect-code");
        different(m, "from-to-www-redirect", "over HTTPS the other name is served with its own certificate only when a "
                + "TLS entry lists it (ingress-nginx reuses the host's when its CN fits); the redirect keeps the port "
                + "the request came in on, as ingress-nginx does");
        different(m, "server-alias", "host names and one-label wildcards only (no nginx regular-expression names); "
                + "over HTTPS an alias is served with its own certificate only when a TLS entry lists it");
        supported(m, "ssl-redirect");
        different(m, "force-ssl-redirect", "every host of the Ingress is redirected to HTTPS (308), with or without "
                + "spec.tls; a request counts as HTTPS behind a TLS-terminating load balancer only when the proxy trusts "
                + "it (--trusted-proxies; ingress-nginx's use-forwarded-headers) and its X-Forwarded-Proto says https");
        // Backend protocol and TLS to the backends.
        different(m, "backend-protocol", "HTTP, HTTPS, GRPC, GRPCS and H2C (GRPC and H2C: HTTP/2 without TLS; GRPCS: "
                + "HTTP/2 over TLS with the proxy-ssl settings); AJP and FCGI are an error on the Ingress (its backends "
                + "answer 503)");
        different(m, "proxy-ssl-secret", "the Secret must be in the Ingress's own namespace (ingress-nginx accepts any "
                + "namespace/name); its ca.crt verifies, its tls.crt and tls.key are the client certificate");
        supported(m, "proxy-ssl-verify");
        different(m, "proxy-ssl-name", "also sent as SNI, whatever proxy-ssl-server-name says");
        different(m, "proxy-ssl-server-name", "SNI is always sent (the Service's DNS name or proxy-ssl-name); "
                + "\"off\" is not honoured");
        unsupported(m, "TLS to backends uses the JDK's protocols (TLS 1.2, 1.3) and cipher suites, and verifies the "
                + "whole chain", "proxy-ssl-ciphers", "proxy-ssl-protocols", "proxy-ssl-verify-depth");
        // Limits and timeouts.
        different(m, "proxy-body-size", "checked on requests that are forwarded (nginx checks every location); a "
                + "body without Content-Length that grows past the limit has been streamed in part to the backend, "
                + "whose connection is then closed (nginx buffers it and never sends it); the client gets 413 and the "
                + "connection closes");
        supported(m, "proxy-connect-timeout");
        different(m, "proxy-read-timeout", "bounds the wait for the response head (504) and a tunnel's silence; "
                + "between later reads of a response body the client connection's 60 s idle close applies");
        different(m, "proxy-send-timeout", "applies to tunnels (WebSocket); a request body a backend stops reading is "
                + "bounded by the client connection's 60 s idle close");
        different(m, "proxy-next-upstream", "a request whose body bytes reached a backend is never tried again (the "
                + "proxy streams bodies, nginx buffers them); invalid_header acts as error does");
        supported(m, "proxy-next-upstream-timeout");
        supported(m, "proxy-next-upstream-tries");
        different(m, "client-body-buffer-size", "accepted and validated; the proxy streams request bodies and buffers "
                + "none");
        different(m, "proxy-buffering", "accepted, on or off: responses are always streamed to the client as they "
                + "arrive (as with off), so server-sent events and long polls are never held; on does not buffer");
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
        different(m, "auth-type", "basic only: digest is an error on the Ingress (its paths answer 503)");
        different(m, "auth-secret", "the Secret must be in the Ingress's own namespace (name or namespace/name); the "
                + "watcher publishes only Secrets an auth-secret names, their data sealed like TLS keys, so it needs "
                + "--encryption-keys; hashes: bcrypt ($2y$, $2a$, $2b$), SHA1 ({SHA}) and APR1 MD5 ($apr1$), not "
                + "crypt(3) DES or plain text");
        supported(m, "auth-secret-type");
        supported(m, "auth-realm");
        different(m, "auth-url", "an http or https URL without nginx variables; the head of the request (no body) is "
                + "sent with X-Original-URL, X-Original-Method, X-Auth-Request-Redirect and X-Forwarded-*, and the proxy's "
                + "own timeouts apply");
        supported(m, "auth-method");
        different(m, "auth-signin", "the variables $host, $http_host, $best_http_host, $scheme, $pass_access_scheme, "
                + "$request_uri and $escaped_request_uri only");
        supported(m, "auth-signin-redirect-param");
        supported(m, "auth-response-headers");
        supported(m, "auth-request-redirect");
        different(m, "auth-cache-key", "the variables $http_*, $cookie_*, $remote_user, $remote_addr, $host and "
                + "$request_uri only; answers are remembered per proxy, in memory (10,000 at most)");
        supported(m, "auth-cache-duration");
        unsupported(m, "connections to the auth-url service are kept alive and pooled by the proxy, as to backends",
                "auth-keepalive", "auth-keepalive-requests", "auth-keepalive-share-vars", "auth-keepalive-timeout");
        unsupported(m, AUTH, "auth-proxy-set-headers", "auth-always-set-cookie", "enable-global-auth", "satisfy");
        different(m, "auth-tls-secret", "a kubernetes.io/tls Secret (with ca.crt) of the Ingress's own namespace; "
                + "ingress-nginx accepts any namespace and Opaque Secrets");
        supported(m, "auth-tls-verify-client");
        supported(m, "auth-tls-verify-depth");
        supported(m, "auth-tls-pass-certificate-to-upstream");
        supported(m, "auth-tls-error-page");
        unsupported(m, CLIENT_CERT, "auth-tls-match-cn");
        // Traffic.
        different(m, "canary", "a canary of spec.defaultBackend (a catch-all canary) is not supported, only of paths "
                + "another Ingress routes; a malformed canary annotation is an error and the canary gets no requests "
                + "(ingress-nginx takes the annotation's default)");
        for (String n : List.of("canary-by-header", "canary-by-header-value", "canary-by-cookie", "canary-weight",
                "canary-weight-total")) {
            supported(m, n);
        }
        different(m, "canary-by-header-pattern", "RE2 syntax (linear time: no backreferences or lookaround, which "
                + "nginx's PCRE has); an expression RE2 refuses is an error on the canary Ingress");
        for (String n : List.of("affinity", "affinity-canary-behavior", "session-cookie-name", "session-cookie-path",
                "session-cookie-domain", "session-cookie-max-age", "session-cookie-expires", "session-cookie-secure",
                "session-cookie-samesite", "session-cookie-conditional-samesite-none",
                "session-cookie-change-on-failure")) {
            supported(m, n);
        }
        different(m, "affinity-mode", "balanced keeps sessions as persistent does: a session moves only when its "
                + "endpoint is gone (ingress-nginx's balanced mode moves some sessions to endpoints added by a scale-up)");
        different(m, "load-balance", "ewma measures the time to the response head (nginx: connect and whole response), "
                + "and an endpoint not measured yet scores 0 (ingress-nginx: the others' average); round_robin is the "
                + "default");
        different(m, "upstream-hash-by", "a consistent-hash ring of the endpoints (a key keeps its endpoint while that "
                + "endpoint is ready; one added takes about 1/n of the keys), not nginx's: the same key may go to another "
                + "endpoint than under ingress-nginx; variables: request_uri, uri, args, query_string, remote_addr, host, "
                + "scheme, http_*, cookie_*, arg_*; endpoints of every zone are on the ring");
        different(m, "upstream-hash-by-subset", "subsets are consecutive runs of the endpoints in Signalbox's order "
                + "(by address and port; the last filled up from the first, as ingress-nginx does in its own order) on "
                + "Signalbox's ring, so a key may pick another subset than under ingress-nginx; within the subset an "
                + "endpoint the proxy ejected is skipped; without upstream-hash-by it is ignored with a warning");
        different(m, "upstream-hash-by-subset-size", "a value that is not a positive integer (at most 1000) is an error "
                + "on the Ingress (ingress-nginx takes its default, 3)");
        different(m, "service-upstream", "the Service's cluster IP and port is the route's one endpoint, so nothing "
                + "is retried elsewhere and affinity has no choice to make, as in ingress-nginx; a headless or ExternalName "
                + "Service (no cluster IP) is an error on the Ingress and its routes answer 503 (ingress-nginx falls back "
                + "to the endpoints)");
        different(m, "upstream-vhost", "a host name with an optional port; nginx variables ($host, ...) are not "
                + "expanded (an error on the Ingress)");
        supported(m, "default-backend");
        different(m, "custom-http-errors", "the default backend's answer is sent as it is, its status included, as "
                + "ingress-nginx does (a custom error backend answers with X-Code); without default-backend the proxy "
                + "answers with its own page and the backend's status (ingress-nginx asks the controller's global default "
                + "backend, which Signalbox does not have); the request to the default backend has no body, and a response "
                + "that arrives before the whole request was sent is passed through as it is");
        unsupported(m, LATER + "remove custom-http-errors from the Ingress instead", "disable-proxy-intercept-errors");
        unsupported(m, "TLS passthrough is not supported: Signalbox terminates TLS for the hosts under spec.tls",
                "ssl-passthrough");
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
        different(m, "custom-headers", "namespace/name of a ConfigMap of the Ingress's own namespace (the watcher "
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
        put(m, SIGNALBOX + "backend-protocol", Support.DIFFERENT, m.get(NGINX + "backend-protocol").note());
        put(m, SIGNALBOX + "ssl-redirect", Support.SUPPORTED, "");
        put(m, SIGNALBOX + "force-ssl-redirect", Support.DIFFERENT, m.get(NGINX + "force-ssl-redirect").note());
        put(m, SIGNALBOX + "response-headers", Support.SUPPORTED, "");
        put(m, SIGNALBOX + "proxy-set-headers", Support.SUPPORTED, "");
        return Collections.unmodifiableMap(m);
    }

    private static void supported(Map<String, Verdict> m, String name) {
        both(m, name, Support.SUPPORTED, "");
    }

    private static void different(Map<String, Verdict> m, String name, String difference) {
        both(m, name, Support.DIFFERENT, difference);
    }

    private static void unsupported(Map<String, Verdict> m, String alternative, String... names) {
        for (String n : names) {
            both(m, n, Support.UNSUPPORTED, alternative);
        }
    }

    private static void refused(Map<String, Verdict> m, String alternative, String... names) {
        for (String n : names) {
            both(m, n, Support.REFUSED, alternative);
        }
    }

    /** The ingress-nginx name, and the same under our prefix (entries put later for our prefix replace it). */
    private static void both(Map<String, Verdict> m, String name, Support support, String note) {
        put(m, NGINX + name, support, note);
        put(m, SIGNALBOX + name, support, note);
    }

    private static void put(Map<String, Verdict> m, String key, Support support, String note) {
        m.put(key, new Verdict(key, support, note));
    }
}
