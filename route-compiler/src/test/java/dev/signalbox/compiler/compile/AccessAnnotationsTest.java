package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.AuthSecretState;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ingress-nginx's access-control annotations (issue 18): source ranges and basic authentication. Objects in, the whole
 * table out, one row a case, as RouteCompilerTest: values, defaults, malformed values (which deny the Ingress's paths
 * with 503, as ingress-nginx's "location denied").
 */
class AccessAnnotationsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String S = "signalbox.dev/";
    private static final Backend WEB80 = backend("ns", "web", "80", ep("10.0.0.1", 8080));
    private static final String WEB = id("ns", "web", "80");
    private static final String DENIED = "; every path of the Ingress answers 503 until it is corrected";

    private static List<ClusterEvent> with(ClusterEvent... objects) {
        return Stream.concat(Stream.of(ourClass(false), service("ns", "web", port("http", 80, "8080")),
                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.1"))), Stream.of(objects)).toList();
    }

    private static ClusterEvent authSecret(String name, AuthSecretState state) {
        return upsert(Kind.SECRET, "ns", name, state);
    }

    private static ClusterEvent ing(Map<String, String> annotations) {
        return annotated("ns", "a", 1, annotations, rule("foo.com", path("/", "Prefix", svc("web", 80))));
    }

    private static RoutingTable routed(RouteAccess access, Diagnostic... diagnostics) {
        return new RoutingTable(List.of(new VirtualHost("foo.com", List.of(new Route("/", PREFIX, WEB, C + "/ns/a", false,
                access == null ? null : new RouteOptions(null, null, null, null, null, null, access, null, null))))), null, List.of(WEB80),
                List.of(), List.of(C + "/ns/a"), List.of(diagnostics));
    }

    private static RouteAccess ranges(List<String> allow, List<String> deny) {
        return new RouteAccess(allow, deny, null, null, null);
    }

    /** The table when the Ingress's access annotations fail with {@code why}: its path answers 503, with the error. */
    private static RoutingTable deniedBy(String why) {
        return routed(new RouteAccess(List.of(), List.of(), null, null, why), error("ns", "a", why + DENIED));
    }

    private static RouteAccess basic(String realm, boolean authMap) {
        return new RouteAccess(List.of(), List.of(), new RouteAccess.BasicAuth(realm, C + "/ns/users", authMap, SEALED), null, null);
    }

    private static RouteAccess external(RouteAccess.ExternalAuth e) {
        return new RouteAccess(List.of(), List.of(), null, e, null);
    }

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("without access annotations a route has no access control",
                        with(ing(Map.of())), routed(null)),
                row("whitelist-source-range is normalised and sorted, IPv4 and IPv6, single addresses as /32",
                        with(ing(Map.of(N + "whitelist-source-range", "192.168.0.0/16, 10.1.2.3/8,2001:DB8::/32,203.0.113.7"))),
                        routed(ranges(List.of("10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "203.0.113.7/32"), List.of()))),
                row("allowlist-source-range wins over whitelist-source-range, as in ingress-nginx",
                        with(ing(Map.of(N + "whitelist-source-range", "10.0.0.0/8", N + "allowlist-source-range", "172.16.0.0/12"))),
                        routed(ranges(List.of("172.16.0.0/12"), List.of()))),
                row("denylist-source-range is read beside the allowed ranges",
                        with(ing(Map.of(N + "allowlist-source-range", "10.0.0.0/8", N + "denylist-source-range", "10.9.0.0/16"))),
                        routed(ranges(List.of("10.0.0.0/8"), List.of("10.9.0.0/16")))),
                row("Signalbox's prefix wins over ingress-nginx's",
                        with(ing(Map.of(N + "denylist-source-range", "10.0.0.0/8", S + "denylist-source-range", "192.0.2.0/24"))),
                        routed(ranges(List.of(), List.of("192.0.2.0/24")))),
                row("an empty range annotation restricts nothing",
                        with(ing(Map.of(N + "whitelist-source-range", " "))), routed(null)),
                row("a malformed CIDR is an error and every path of the Ingress answers 503 (ingress-nginx's denied location)",
                        with(ing(Map.of(N + "whitelist-source-range", "10.0.0.0/8,10.0.0.256/32"))),
                        deniedBy("annotation " + N + "whitelist-source-range: \"10.0.0.256/32\" is not an IP address or "
                                        + "CIDR block (a comma-separated list of CIDR blocks such as 10.0.0.0/8 or 2001:db8::/32 "
                                        + "is expected)")),
                row("a prefix length past 32 is an error too",
                        with(ing(Map.of(N + "denylist-source-range", "10.0.0.0/40"))),
                        deniedBy("annotation " + N + "denylist-source-range: \"10.0.0.0/40\" has no valid IPv4 prefix "
                                        + "length (0 to 32) (a comma-separated list of CIDR blocks such as 10.0.0.0/8 or "
                                        + "2001:db8::/32 is expected)")),
                row("basic auth with an auth-file Secret and a realm",
                        with(authSecret("users", new AuthSecretState(SEALED, null)), ing(Map.of(N + "auth-type", "basic",
                                N + "auth-secret", "users", N + "auth-realm", "Authentication Required - foo"))),
                        routed(basic("Authentication Required - foo", false))),
                row("basic auth with an auth-map Secret named namespace/name; the realm defaults to empty",
                        with(authSecret("users", new AuthSecretState(SEALED, null)), ing(Map.of(N + "auth-type", "basic",
                                N + "auth-secret", "ns/users", N + "auth-secret-type", "auth-map"))),
                        routed(basic("", true))),
                row("source ranges and basic auth together",
                        with(authSecret("users", new AuthSecretState(SEALED, null)), ing(Map.of(N + "auth-type", "basic",
                                N + "auth-secret", "users", N + "whitelist-source-range", "10.0.0.0/8"))),
                        routed(new RouteAccess(List.of("10.0.0.0/8"), List.of(), basic("", false).basicAuth(), null, null))),
                row("auth-secret without auth-type asks for nothing, as in ingress-nginx",
                        with(ing(Map.of(N + "auth-secret", "users"))), routed(null)),
                row("a missing auth Secret is an error and the paths answer 503, as ingress-nginx",
                        with(ing(Map.of(N + "auth-type", "basic", N + "auth-secret", "users"))),
                        deniedBy("auth Secret ns/users does not exist")),
                row("an auth Secret the watcher could not seal denies the paths, saying why",
                        with(authSecret("users", new AuthSecretState(null, "the watcher has no key-encryption key")),
                                ing(Map.of(N + "auth-type", "basic", N + "auth-secret", "users"))),
                        deniedBy("auth Secret ns/users: the watcher has no key-encryption key")),
                row("a TLS Secret is not an auth Secret",
                        with(tlsSecret("ns", "users", FOO_CERT), ing(Map.of(N + "auth-type", "basic", N + "auth-secret", "users"))),
                        deniedBy("auth Secret ns/users is of type kubernetes.io/tls; basic authentication reads an Opaque Secret")),
                row("a Secret of another namespace is refused",
                        with(ing(Map.of(N + "auth-type", "basic", N + "auth-secret", "other/users"))),
                        deniedBy("annotation " + N + "auth-secret: \"other/users\" is not the name of a Secret in the "
                                        + "Ingress's namespace ns (name or ns/name; Secrets of other namespaces are not read)")),
                row("auth-type basic without auth-secret denies the paths",
                        with(ing(Map.of(N + "auth-type", "basic"))),
                        deniedBy("auth-type basic needs annotation " + N + "auth-secret (the Secret with the users and "
                                        + "their password hashes)")),
                row("digest authentication is not supported and denies the paths",
                        with(ing(Map.of(N + "auth-type", "digest", N + "auth-secret", "users"))),
                        deniedBy("annotation " + N + "auth-type: \"digest\" is not supported (digest authentication is "
                                        + "not; basic is)")),
                row("an unknown auth-secret-type denies the paths",
                        with(authSecret("users", new AuthSecretState(SEALED, null)), ing(Map.of(N + "auth-type", "basic",
                                N + "auth-secret", "users", N + "auth-secret-type", "htpasswd"))),
                        deniedBy("annotation " + N + "auth-secret-type: \"htpasswd\" is not auth-file or auth-map")),
                row("auth-url alone: GET, no signin, rd as the redirect parameter, no headers copied",
                        with(ing(Map.of(N + "auth-url", "http://auth.ns.svc.cluster.local:8080/check?x=1"))),
                        routed(external(new RouteAccess.ExternalAuth("http://auth.ns.svc.cluster.local:8080/check?x=1", null,
                                null, "rd", List.of(), null, null, List.of())))),
                row("auth-url with method, signin with variables, its redirect parameter, response headers and request redirect",
                        with(ing(Map.of(N + "auth-url", "https://auth.example.com/oauth2/auth", N + "auth-method", "POST",
                                N + "auth-signin", "https://$host/oauth2/start?rd=$escaped_request_uri",
                                N + "auth-signin-redirect-param", "return_to",
                                N + "auth-response-headers", "X-Auth-Request-User, X-Auth-Request-Email,,",
                                N + "auth-request-redirect", "https://app.example.com/"))),
                        routed(external(new RouteAccess.ExternalAuth("https://auth.example.com/oauth2/auth", "POST",
                                "https://$host/oauth2/start?rd=$escaped_request_uri", "return_to",
                                List.of("X-Auth-Request-User", "X-Auth-Request-Email"), "https://app.example.com/", null, List.of())))),
                row("auth-cache-key remembers 200, 202 and 401 for 5 minutes by default, as ingress-nginx",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-cache-key",
                                "$remote_user$http_authorization"))),
                        routed(external(new RouteAccess.ExternalAuth("http://auth/check", null, null, "rd", List.of(), null,
                                "$remote_user$http_authorization",
                                List.of(new RouteAccess.CacheValid(List.of(200, 202, 401), false, 300)))))),
                row("auth-cache-duration rules, any, and a rule without codes meaning 200 301 302, as proxy_cache_valid",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-cache-key", "$cookie_session",
                                N + "auth-cache-duration", "200 202 10m, any 30s,1h"))),
                        routed(external(new RouteAccess.ExternalAuth("http://auth/check", null, null, "rd", List.of(), null,
                                "$cookie_session", List.of(new RouteAccess.CacheValid(List.of(200, 202), false, 600),
                                        new RouteAccess.CacheValid(List.of(), true, 30),
                                        new RouteAccess.CacheValid(List.of(200, 301, 302), false, 3600)))))),
                row("auth-cache-duration without auth-cache-key remembers nothing",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-cache-duration", "200 10m"))),
                        routed(external(new RouteAccess.ExternalAuth("http://auth/check", null, null, "rd", List.of(), null,
                                null, List.of())))),
                row("a malformed auth-cache-duration denies the paths",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-cache-key", "$http_x",
                                N + "auth-cache-duration", "200 ten minutes"))),
                        deniedBy("annotation " + N + "auth-cache-duration: \"200 ten minutes\" is not a comma-separated "
                                        + "list of status codes (or any) and a time, such as \"200 202 10m, 401 5m\"")),
                row("an auth-cache-key variable Signalbox does not know denies the paths",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-cache-key", "$upstream_addr"))),
                        deniedBy("annotation " + N + "auth-cache-key: \"$upstream_addr\" may use only the variables "
                                        + "$http_*, $cookie_*, $remote_user, $remote_addr, $host and $request_uri")),
                row("an auth-url of another scheme denies the paths",
                        with(ing(Map.of(N + "auth-url", "file:///etc/passwd"))),
                        deniedBy("annotation " + N + "auth-url: \"file:///etc/passwd\" is not usable: only http and "
                                        + "https URLs are")),
                row("an auth-url with a line break (a request injection) denies the paths",
                        with(ing(Map.of(N + "auth-url", "http://auth/x\r\nHost: evil"))),
                        deniedBy("annotation " + N + "auth-url: \"http://auth/x\r\nHost: evil\" is not usable: "
                                        + "Illegal character in path")),
                row("nginx variables in auth-url are refused",
                        with(ing(Map.of(N + "auth-url", "https://$host/oauth2/auth"))),
                        deniedBy("annotation " + N + "auth-url: \"https://$host/oauth2/auth\" is not usable: nginx "
                                        + "variables are not supported in auth-url")),
                row("an unknown variable in auth-signin is refused",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-signin", "https://login/?u=$cookie_x"))),
                        deniedBy("annotation " + N + "auth-signin: \"https://login/?u=$cookie_x\" is not usable: only "
                                        + "the variables $host, $http_host, $best_http_host, $scheme, $pass_access_scheme, "
                                        + "$request_uri and $escaped_request_uri are supported")),
                row("a malformed auth-method denies the paths",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-method", "get"))),
                        deniedBy("annotation " + N + "auth-method: \"get\" is not an HTTP method (GET, HEAD, POST, "
                                        + "PUT, PATCH, DELETE, CONNECT, OPTIONS or TRACE)")),
                row("a response header that is no header name denies the paths",
                        with(ing(Map.of(N + "auth-url", "http://auth/check", N + "auth-response-headers", "X-User: a"))),
                        deniedBy("annotation " + N + "auth-response-headers: \"X-User: a\" is not a header name "
                                        + "(letters, digits, - and _)")),
                row("a realm with a line break (a header injection) denies the paths",
                        with(authSecret("users", new AuthSecretState(SEALED, null)), ing(Map.of(N + "auth-type", "basic",
                                N + "auth-secret", "users", N + "auth-realm", "x\r\nSet-Cookie: a=b"))),
                        deniedBy("annotation " + N + "auth-realm holds control characters")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
