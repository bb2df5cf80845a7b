package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Annotations.Support.DIFFERENT;
import static dev.signalbox.compiler.compile.Annotations.Support.REFUSED;
import static dev.signalbox.compiler.compile.Annotations.Support.SUPPORTED;
import static dev.signalbox.compiler.compile.Annotations.Support.UNKNOWN;
import static dev.signalbox.compiler.compile.Annotations.Support.UNSUPPORTED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.compile.Annotations.Support;
import dev.signalbox.compiler.compile.Annotations.Verdict;
import dev.signalbox.schemas.event.IngressState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Annotation key in, Signalbox's verdict out: one case a row. */
class AnnotationsTest {
    /**
     * Every annotation name in ingress-nginx's docs/user-guide/nginx-configuration/annotations.md and its
     * internal/ingress/annotations parsers (controller v1.15.1).
     */
    static final List<String> INGRESS_NGINX = List.of(
            "affinity", "affinity-canary-behavior", "affinity-mode", "allowlist-source-range", "app-root",
            "auth-always-set-cookie", "auth-cache-duration", "auth-cache-key", "auth-keepalive",
            "auth-keepalive-requests", "auth-keepalive-share-vars", "auth-keepalive-timeout", "auth-method",
            "auth-proxy-set-headers", "auth-realm", "auth-request-redirect", "auth-response-headers", "auth-secret",
            "auth-secret-type", "auth-signin", "auth-signin-redirect-param", "auth-snippet", "auth-tls-error-page",
            "auth-tls-match-cn", "auth-tls-pass-certificate-to-upstream", "auth-tls-secret",
            "auth-tls-verify-client", "auth-tls-verify-depth", "auth-type", "auth-url", "backend-protocol", "canary",
            "canary-by-cookie", "canary-by-header", "canary-by-header-pattern", "canary-by-header-value",
            "canary-weight", "canary-weight-total", "client-body-buffer-size", "configuration-snippet",
            "connection-proxy-header", "cors-allow-credentials", "cors-allow-headers", "cors-allow-methods",
            "cors-allow-origin", "cors-expose-headers", "cors-max-age", "custom-headers", "custom-http-errors",
            "default-backend", "denylist-source-range", "disable-proxy-intercept-errors", "enable-access-log",
            "enable-cors", "enable-global-auth", "enable-modsecurity", "enable-opentelemetry",
            "enable-owasp-core-rules", "enable-rewrite-log", "fastcgi-index", "fastcgi-params-configmap",
            "force-ssl-redirect", "from-to-www-redirect", "http2-push-preload", "limit-allowlist",
            "limit-burst-multiplier", "limit-connections", "limit-rate", "limit-rate-after", "limit-rpm",
            "limit-rps", "limit-whitelist", "load-balance", "mirror-host", "mirror-request-body", "mirror-target",
            "modsecurity-snippet", "modsecurity-transaction-id", "opentelemetry-operation-name",
            "opentelemetry-trust-incoming-span", "permanent-redirect", "permanent-redirect-code",
            "preserve-trailing-slash", "proxy-body-size", "proxy-buffer-size", "proxy-buffering",
            "proxy-buffers-number", "proxy-busy-buffers-size", "proxy-connect-timeout", "proxy-cookie-domain",
            "proxy-cookie-path", "proxy-http-version", "proxy-max-temp-file-size", "proxy-next-upstream",
            "proxy-next-upstream-timeout", "proxy-next-upstream-tries", "proxy-read-timeout", "proxy-redirect-from",
            "proxy-redirect-to", "proxy-request-buffering", "proxy-send-timeout", "proxy-ssl-ciphers",
            "proxy-ssl-name", "proxy-ssl-protocols", "proxy-ssl-secret", "proxy-ssl-server-name", "proxy-ssl-verify",
            "proxy-ssl-verify-depth", "relative-redirects", "rewrite-target", "satisfy", "server-alias",
            "server-snippet", "service-upstream", "session-cookie-change-on-failure",
            "session-cookie-conditional-samesite-none", "session-cookie-domain", "session-cookie-expires",
            "session-cookie-max-age", "session-cookie-name", "session-cookie-path", "session-cookie-samesite",
            "session-cookie-secure", "ssl-ciphers", "ssl-passthrough", "ssl-prefer-server-ciphers", "ssl-redirect",
            "stream-snippet", "temporal-redirect", "temporal-redirect-code", "upstream-hash-by",
            "upstream-hash-by-subset", "upstream-hash-by-subset-size", "upstream-vhost", "use-port-in-redirects",
            "use-regex", "whitelist-source-range", "x-forwarded-prefix");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("the backend protocol is honoured with a difference (HTTP and HTTPS only)",
                        "nginx.ingress.kubernetes.io/backend-protocol", DIFFERENT),
                Arguments.of("proxy-buffering is accepted; responses always stream", "nginx.ingress.kubernetes.io/proxy-buffering", DIFFERENT),
                Arguments.of("ssl-redirect is honoured as ingress-nginx does", "nginx.ingress.kubernetes.io/ssl-redirect", SUPPORTED),
                Arguments.of("proxy-ssl-verify is honoured as ingress-nginx does", "nginx.ingress.kubernetes.io/proxy-ssl-verify", SUPPORTED),
                Arguments.of("a proxy-ssl-secret must be in the Ingress's namespace", "nginx.ingress.kubernetes.io/proxy-ssl-secret", DIFFERENT),
                Arguments.of("rewrite-target is honoured as ingress-nginx does", "nginx.ingress.kubernetes.io/rewrite-target", SUPPORTED),
                Arguments.of("use-regex is honoured with RE2's syntax", "nginx.ingress.kubernetes.io/use-regex", DIFFERENT),
                Arguments.of("limit-rps is honoured as ingress-nginx does", "nginx.ingress.kubernetes.io/limit-rps", SUPPORTED),
                Arguments.of("limit-whitelist is honoured as ingress-nginx does", "nginx.ingress.kubernetes.io/limit-whitelist", SUPPORTED),
                Arguments.of("proxy-body-size is honoured with a difference", "nginx.ingress.kubernetes.io/proxy-body-size", DIFFERENT),
                Arguments.of("configuration-snippet is refused", "nginx.ingress.kubernetes.io/configuration-snippet", REFUSED),
                Arguments.of("server-snippet is refused", "nginx.ingress.kubernetes.io/server-snippet", REFUSED),
                Arguments.of("stream-snippet is refused", "nginx.ingress.kubernetes.io/stream-snippet", REFUSED),
                Arguments.of("auth-snippet is refused", "nginx.ingress.kubernetes.io/auth-snippet", REFUSED),
                Arguments.of("modsecurity-snippet is refused", "nginx.ingress.kubernetes.io/modsecurity-snippet", REFUSED),
                Arguments.of("a snippet under our prefix is refused too", "signalbox.dev/configuration-snippet", REFUSED),
                Arguments.of("an ingress-nginx name under our prefix means the same", "signalbox.dev/mirror-target", UNSUPPORTED),
                Arguments.of("enable-cors is honoured as ingress-nginx does", "nginx.ingress.kubernetes.io/enable-cors", SUPPORTED),
                Arguments.of("cors-allow-origin matches whole origins", "nginx.ingress.kubernetes.io/cors-allow-origin", DIFFERENT),
                Arguments.of("custom-headers is honoured with a difference (own namespace, no allowed-list)", "nginx.ingress.kubernetes.io/custom-headers", DIFFERENT),
                Arguments.of("custom-headers under our prefix too", "signalbox.dev/custom-headers", DIFFERENT),
                Arguments.of("our proxy-set-headers is supported", "signalbox.dev/proxy-set-headers", SUPPORTED),
                Arguments.of("proxy-set-headers is no ingress-nginx annotation: not supported, pointing to ours", "nginx.ingress.kubernetes.io/proxy-set-headers", UNSUPPORTED),
                Arguments.of("our response-headers is supported", "signalbox.dev/response-headers", SUPPORTED),
                Arguments.of("default-backend is honoured as ingress-nginx does", "nginx.ingress.kubernetes.io/default-backend", SUPPORTED),
                Arguments.of("custom-http-errors is honoured with a difference (no global default backend)",
                        "nginx.ingress.kubernetes.io/custom-http-errors", DIFFERENT),
                Arguments.of("service-upstream is honoured with a difference (headless is an error)",
                        "signalbox.dev/service-upstream", DIFFERENT),
                Arguments.of("disable-proxy-intercept-errors is not supported", "nginx.ingress.kubernetes.io/disable-proxy-intercept-errors", UNSUPPORTED),
                Arguments.of("response-headers is ours only", "nginx.ingress.kubernetes.io/response-headers", UNKNOWN),
                Arguments.of("our own backend TLS names are supported", "signalbox.dev/backend-tls-secret", SUPPORTED),
                Arguments.of("ingress-nginx's backend TLS names under our prefix point to ours", "signalbox.dev/proxy-ssl-secret", UNSUPPORTED),
                Arguments.of("a typo under the ingress-nginx prefix is unknown", "nginx.ingress.kubernetes.io/rewrite-targets", UNKNOWN),
                Arguments.of("a typo under our prefix is unknown", "signalbox.dev/ssl-redirects", UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void classifies(String name, String annotation, Support expected) {
        assertEquals(expected, Annotations.classify(annotation).orElseThrow().support());
    }

    @Test
    void everyAnnotationIngressNginxKnowsIsClassifiedUnderBothPrefixes() {
        List<String> unknown = INGRESS_NGINX.stream()
                .flatMap(n -> Stream.of(Annotations.NGINX + n, Annotations.SIGNALBOX + n))
                .filter(a -> Annotations.classify(a).orElseThrow().support() == UNKNOWN)
                .toList();
        assertEquals(List.of(), unknown);
    }

    @Test
    void everyVerdictButSupportedSaysWhatDiffersOrWhatToUseInstead() {
        List<String> silent = Annotations.catalogue().stream()
                .filter(v -> v.support() != SUPPORTED && v.note().isBlank())
                .map(Verdict::annotation).toList();
        assertEquals(List.of(), silent);
    }

    @Test
    void annotationsUnderOtherPrefixesAreNotSignalboxs() {
        assertEquals(Optional.empty(), Annotations.classify("kubernetes.io/ingress.class"));
        assertEquals(Optional.empty(), Annotations.classify("cert-manager.io/cluster-issuer"));
    }

    @Test
    void aReviewListsAnIngresssAnnotationsUnderEitherPrefixByKey() {
        List<Verdict> review = Annotations.review(ingress(Map.of(
                "nginx.ingress.kubernetes.io/ssl-redirect", "false",
                "cert-manager.io/cluster-issuer", "letsencrypt",
                "nginx.ingress.kubernetes.io/mirror-target", "http://m",
                "signalbox.dev/nosuch", "x"), "/"));
        assertEquals(List.of("nginx.ingress.kubernetes.io/mirror-target UNSUPPORTED",
                        "nginx.ingress.kubernetes.io/ssl-redirect SUPPORTED", "signalbox.dev/nosuch UNKNOWN"),
                review.stream().map(v -> v.annotation() + " " + v.support()).toList());
    }

    private static final String N = Annotations.NGINX;

    /** An Ingress with these annotations and these Prefix paths on one host. */
    private static IngressState ingress(Map<String, String> annotations, String... paths) {
        List<IngressState.PathRule> rules = Stream.of(paths).map(p -> new IngressState.PathRule(p, "Prefix",
                new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null))).toList();
        return new IngressState("nginx", annotations, null, null, null,
                List.of(new IngressState.Rule("shop.example", rules)));
    }

    /**
     * One use of an annotation with several values: a value Signalbox handles as ingress-nginx does is supported, one
     * that hits the difference keeps the row's verdict. A case: a sentence, the annotations, the paths, the verdicts.
     */
    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("backend-protocol HTTP is ingress-nginx's default", Map.of(N + "backend-protocol", "HTTP"),
                        List.of("/"), List.of("backend-protocol SUPPORTED")),
                Arguments.of("backend-protocol is read in any case", Map.of(N + "backend-protocol", " http "),
                        List.of("/"), List.of("backend-protocol SUPPORTED")),
                Arguments.of("backend-protocol HTTPS sends SNI, which ingress-nginx does not by default",
                        Map.of(N + "backend-protocol", "HTTPS"), List.of("/"), List.of("backend-protocol DIFFERENT")),
                Arguments.of("backend-protocol HTTPS with proxy-ssl-server-name on and proxy-ssl-name sends the same SNI",
                        Map.of(N + "backend-protocol", "HTTPS", N + "proxy-ssl-server-name", "on",
                                N + "proxy-ssl-name", "api.internal"), List.of("/"),
                        List.of("backend-protocol SUPPORTED", "proxy-ssl-name SUPPORTED", "proxy-ssl-server-name SUPPORTED")),
                Arguments.of("proxy-ssl-server-name on without proxy-ssl-name sends another name",
                        Map.of(N + "backend-protocol", "HTTPS", N + "proxy-ssl-server-name", "on"), List.of("/"),
                        List.of("backend-protocol DIFFERENT", "proxy-ssl-server-name DIFFERENT")),
                Arguments.of("backend-protocol GRPC is kept different", Map.of(N + "backend-protocol", "GRPC"),
                        List.of("/"), List.of("backend-protocol DIFFERENT")),
                Arguments.of("backend-protocol FCGI is an error", Map.of(N + "backend-protocol", "FCGI"),
                        List.of("/"), List.of("backend-protocol DIFFERENT")),
                Arguments.of("auth-url without variables gets ingress-nginx's request",
                        Map.of(N + "auth-url", "http://auth.default.svc/check"), List.of("/"),
                        List.of("auth-url SUPPORTED")),
                Arguments.of("auth-url with a bare query is asked at / with it, as nginx does",
                        Map.of(N + "auth-url", "https://auth.default.svc:8443?x=1"), List.of("/"),
                        List.of("auth-url SUPPORTED")),
                Arguments.of("auth-url without a path is asked at /, ingress-nginx at its internal location",
                        Map.of(N + "auth-url", "http://auth.default.svc"), List.of("/"),
                        List.of("auth-url DIFFERENT")),
                Arguments.of("auth-url with a variable is an error", Map.of(N + "auth-url", "https://$host/oauth2/auth"),
                        List.of("/"), List.of("auth-url DIFFERENT")),
                Arguments.of("auth-signin with the variables Signalbox substitutes",
                        Map.of(N + "auth-url", "http://auth/", N + "auth-signin", "https://$host/start?rd=$escaped_request_uri"),
                        List.of("/"), List.of("auth-signin SUPPORTED", "auth-url SUPPORTED")),
                Arguments.of("auth-signin with a variable Signalbox does not substitute",
                        Map.of(N + "auth-url", "http://auth/", N + "auth-signin", "https://$server_name/start"),
                        List.of("/"), List.of("auth-signin DIFFERENT", "auth-url SUPPORTED")),
                Arguments.of("auth-signin is judged on its own when the auth-url is unusable",
                        Map.of(N + "auth-url", "https://$host/auth", N + "auth-signin", "https://$host/start"),
                        List.of("/"), List.of("auth-signin SUPPORTED", "auth-url DIFFERENT")),
                Arguments.of("auth-type basic", Map.of(N + "auth-type", "basic"), List.of("/"),
                        List.of("auth-type SUPPORTED")),
                Arguments.of("auth-type digest", Map.of(N + "auth-type", "digest"), List.of("/"),
                        List.of("auth-type DIFFERENT")),
                Arguments.of("use-regex true on paths RE2 accepts", Map.of(N + "use-regex", "true"),
                        List.of("/api/v[0-9]+/(.*)", "/"), List.of("use-regex SUPPORTED")),
                Arguments.of("use-regex true on a path with a lookahead", Map.of(N + "use-regex", "true"),
                        List.of("/(?!admin).*"), List.of("use-regex DIFFERENT")),
                Arguments.of("use-regex false makes no regular expressions", Map.of(N + "use-regex", "false"),
                        List.of("/(?!admin).*"), List.of("use-regex SUPPORTED")),
                Arguments.of("use-regex that is no boolean keeps the row's verdict", Map.of(N + "use-regex", "yes"),
                        List.of("/"), List.of("use-regex DIFFERENT")),
                Arguments.of("rewrite-target on paths RE2 accepts", Map.of(N + "rewrite-target", "/$2"),
                        List.of("/something(/|$)(.*)"), List.of("rewrite-target SUPPORTED")),
                Arguments.of("rewrite-target makes a path with a backreference a regular expression",
                        Map.of(N + "rewrite-target", "/$1"), List.of("/(a)\\1"), List.of("rewrite-target DIFFERENT")),
                Arguments.of("proxy-body-size 0 is no limit, as in ingress-nginx", Map.of(N + "proxy-body-size", "0"),
                        List.of("/"), List.of("proxy-body-size SUPPORTED")),
                Arguments.of("proxy-body-size with a limit", Map.of(N + "proxy-body-size", "8m"), List.of("/"),
                        List.of("proxy-body-size DIFFERENT")),
                Arguments.of("proxy-read-timeout differs whatever the value", Map.of(N + "proxy-read-timeout", "60"),
                        List.of("/"), List.of("proxy-read-timeout DIFFERENT")),
                Arguments.of("proxy-buffering off, ingress-nginx's default", Map.of(N + "proxy-buffering", "off"),
                        List.of("/"), List.of("proxy-buffering SUPPORTED")),
                Arguments.of("proxy-buffering on", Map.of(N + "proxy-buffering", "on"), List.of("/"),
                        List.of("proxy-buffering DIFFERENT")),
                Arguments.of("load-balance round_robin", Map.of(N + "load-balance", "round_robin"), List.of("/"),
                        List.of("load-balance SUPPORTED")),
                Arguments.of("load-balance ewma", Map.of(N + "load-balance", "ewma"), List.of("/"),
                        List.of("load-balance DIFFERENT")),
                Arguments.of("affinity-mode persistent", Map.of(N + "affinity-mode", "persistent"), List.of("/"),
                        List.of("affinity-mode SUPPORTED")),
                Arguments.of("affinity-mode balanced", Map.of(N + "affinity-mode", "balanced"), List.of("/"),
                        List.of("affinity-mode DIFFERENT")),
                Arguments.of("upstream-hash-by-subset-size 3 with subsets on a hash",
                        Map.of(N + "upstream-hash-by", "$request_uri", N + "upstream-hash-by-subset", "true",
                                N + "upstream-hash-by-subset-size", "3"), List.of("/"),
                        List.of("upstream-hash-by DIFFERENT", "upstream-hash-by-subset DIFFERENT",
                                "upstream-hash-by-subset-size SUPPORTED")),
                Arguments.of("upstream-hash-by-subset-size that is no positive integer",
                        Map.of(N + "upstream-hash-by", "$request_uri", N + "upstream-hash-by-subset", "true",
                                N + "upstream-hash-by-subset-size", "three"), List.of("/"),
                        List.of("upstream-hash-by DIFFERENT", "upstream-hash-by-subset DIFFERENT",
                                "upstream-hash-by-subset-size DIFFERENT")),
                Arguments.of("upstream-hash-by-subset false", Map.of(N + "upstream-hash-by-subset", "false"),
                        List.of("/"), List.of("upstream-hash-by-subset SUPPORTED")),
                Arguments.of("upstream-vhost a host name", Map.of(N + "upstream-vhost", "api.internal:8080"),
                        List.of("/"), List.of("upstream-vhost SUPPORTED")),
                Arguments.of("upstream-vhost with a variable", Map.of(N + "upstream-vhost", "$host"), List.of("/"),
                        List.of("upstream-vhost DIFFERENT")),
                Arguments.of("canary with a weight", Map.of(N + "canary", "true", N + "canary-weight", "50"),
                        List.of("/"), List.of("canary SUPPORTED", "canary-weight SUPPORTED")),
                Arguments.of("canary with a malformed weight", Map.of(N + "canary", "true", N + "canary-weight", "half"),
                        List.of("/"), List.of("canary DIFFERENT", "canary-weight SUPPORTED")),
                Arguments.of("canary false is no canary", Map.of(N + "canary", "false"), List.of("/"),
                        List.of("canary SUPPORTED")),
                Arguments.of("canary-by-header-pattern RE2 takes",
                        Map.of(N + "canary", "true", N + "canary-by-header", "X-Canary",
                                N + "canary-by-header-pattern", "^(beta|alpha)$"), List.of("/"),
                        List.of("canary SUPPORTED", "canary-by-header SUPPORTED", "canary-by-header-pattern SUPPORTED")),
                Arguments.of("canary-by-header-pattern with a lookahead",
                        Map.of(N + "canary", "true", N + "canary-by-header", "X-Canary",
                                N + "canary-by-header-pattern", "^(?!never)"), List.of("/"),
                        List.of("canary DIFFERENT", "canary-by-header SUPPORTED", "canary-by-header-pattern DIFFERENT")),
                Arguments.of("force-ssl-redirect false", Map.of(N + "force-ssl-redirect", "false"), List.of("/"),
                        List.of("force-ssl-redirect SUPPORTED")),
                Arguments.of("force-ssl-redirect true", Map.of(N + "force-ssl-redirect", "true"), List.of("/"),
                        List.of("force-ssl-redirect DIFFERENT")),
                Arguments.of("ssl-passthrough false asks for nothing", Map.of(N + "ssl-passthrough", "false"),
                        List.of("/"), List.of("ssl-passthrough SUPPORTED")),
                Arguments.of("ssl-passthrough true is not supported", Map.of(N + "ssl-passthrough", "true"),
                        List.of("/"), List.of("ssl-passthrough UNSUPPORTED")),
                Arguments.of("service-upstream false", Map.of(N + "service-upstream", "false"), List.of("/"),
                        List.of("service-upstream SUPPORTED")),
                Arguments.of("a value under our prefix is judged the same way", Map.of("signalbox.dev/proxy-body-size", "0"),
                        List.of("/"), List.of("signalbox.dev/proxy-body-size SUPPORTED")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void judgesEachUseOnItsValue(String name, Map<String, String> annotations, List<String> paths, List<String> expected) {
        assertEquals(expected, Annotations.review(ingress(annotations, paths.toArray(String[]::new))).stream()
                .map(v -> v.annotation().replace(N, "") + " " + v.support()).toList());
    }

    @Test
    void aCatchAllCanaryDiffersAndSaysSo() {
        IngressState catchAll = new IngressState("nginx", Map.of(N + "canary", "true"), null,
                new IngressState.BackendRef(new IngressState.ServiceRef("web-canary", 80, null), null), null, null);
        assertEquals(List.of(new Verdict(N + "canary", DIFFERENT, "a canary of spec.defaultBackend (a catch-all canary) "
                + "is not supported, only of paths another Ingress routes")), Annotations.review(catchAll));
    }

    @Test
    void theNoteOfAJudgedUseNamesThePartThatApplies() {
        Map<String, String> notes = new java.util.TreeMap<>();
        Annotations.review(ingress(Map.of(N + "auth-url", "https://$host/oauth2/auth", N + "use-regex", "true",
                        N + "backend-protocol", "FCGI"), "/(?<=a)b"))
                .forEach(v -> notes.put(v.annotation().replace(N, ""), v.note()));
        assertEquals(Map.of(
                "auth-url", "annotation " + N + "auth-url: \"https://$host/oauth2/auth\" is not usable: nginx variables "
                        + "are not supported in auth-url; every path of the Ingress answers 503 until it is corrected "
                        + "(ingress-nginx expands the variables)",
                "backend-protocol", "\"FCGI\" is an error on the Ingress, whose backends answer 503 (HTTP, HTTPS, GRPC, "
                        + "GRPCS and H2C only; ingress-nginx also speaks AJP, FastCGI and AUTO_HTTP)",
                "use-regex", HostAnnotations.invalidRegex("/(?<=a)b") + ": an error on the Ingress, and that path is not "
                        + "routed (nginx's PCRE takes it)"), notes);
    }
}
