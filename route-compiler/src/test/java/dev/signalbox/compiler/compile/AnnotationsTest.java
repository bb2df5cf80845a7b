package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Annotations.Support.DIFFERENT;
import static dev.signalbox.compiler.compile.Annotations.Support.REFUSED;
import static dev.signalbox.compiler.compile.Annotations.Support.SUPPORTED;
import static dev.signalbox.compiler.compile.Annotations.Support.UNKNOWN;
import static dev.signalbox.compiler.compile.Annotations.Support.UNSUPPORTED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.compile.Annotations.Support;
import dev.signalbox.compiler.compile.Annotations.Verdict;
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
        List<Verdict> review = Annotations.review(Map.of(
                "nginx.ingress.kubernetes.io/ssl-redirect", "false",
                "cert-manager.io/cluster-issuer", "letsencrypt",
                "nginx.ingress.kubernetes.io/mirror-target", "http://m",
                "signalbox.dev/nosuch", "x"));
        assertEquals(List.of("nginx.ingress.kubernetes.io/mirror-target UNSUPPORTED",
                        "nginx.ingress.kubernetes.io/ssl-redirect SUPPORTED", "signalbox.dev/nosuch UNKNOWN"),
                review.stream().map(v -> v.annotation() + " " + v.support()).toList());
    }
}
