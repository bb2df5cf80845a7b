package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static dev.signalbox.schemas.snapshot.PathMatch.REGEX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.HeaderOptions.Cors;
import dev.signalbox.schemas.snapshot.HeaderOptions.Field;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
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
 * ingress-nginx's CORS annotations and Signalbox's response-headers (issue 18): objects in, the whole table out, one
 * row a case, as RouteCompilerTest. Values, defaults, malformed values and injection attempts (a malformed value is
 * an error and its Ingress is not routed; the Ingress beside it is).
 */
class HeaderAnnotationsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String S = "signalbox.dev/";
    private static final String RH = S + "response-headers";
    private static final Backend WEB80 = backend("ns", "web", "80", ep("10.0.0.1", 8080));
    private static final String WEB = id("ns", "web", "80");
    private static final Cors DEFAULTS = new Cors(List.of("*"), "GET, PUT, POST, DELETE, PATCH, OPTIONS",
            "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization",
            true, null, 1728000);

    private static ClusterEvent ing(String name, int created, Map<String, String> annotations) {
        return annotated("ns", name, created, annotations, rule(name + ".com", path("/", "Prefix", svc("web", 80))));
    }

    private static List<ClusterEvent> with(ClusterEvent... ingresses) {
        return Stream.concat(Stream.of(ourClass(false), service("ns", "web", port("http", 80, "8080")),
                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.1"))), Stream.of(ingresses)).toList();
    }

    /** The routes of Ingress {@code name} (host name.com, Prefix /) with these header options. */
    private static VirtualHost host(String name, HeaderOptions headers) {
        return new VirtualHost(name + ".com", List.of(new Route("/", PREFIX, WEB, C + "/ns/" + name, false,
                headers == null ? null : new RouteOptions(null, null, null, null, null, null, null, headers, null))));
    }

    private static HeaderOptions cors(Cors cors) {
        return new HeaderOptions(cors, List.of());
    }

    private static HeaderOptions fields(Field... fields) {
        return new HeaderOptions(null, List.of(fields));
    }

    private static Cors origins(String... origins) {
        return new Cors(List.of(origins), DEFAULTS.allowMethods(), DEFAULTS.allowHeaders(), true, null, 1728000);
    }

    private static RoutingTable table(List<String> ingresses, List<VirtualHost> hosts, Diagnostic... diagnostics) {
        return new RoutingTable(hosts, null, hosts.isEmpty() ? List.of() : List.of(WEB80), List.of(),
                ingresses.stream().map(i -> C + "/" + i).toList(), List.of(diagnostics));
    }

    private static Diagnostic notRouted(String ingress, String annotation, String value, String expected) {
        return error("ns", ingress, "annotation " + annotation + ": \"" + value + "\" is not " + expected
                + "; the Ingress is not routed until it is corrected");
    }

    private static Diagnostic badLine(String ingress, String line, String problem) {
        return error("ns", ingress, "annotation " + RH + ": " + line + " " + problem
                + "; the Ingress is not routed until it is corrected");
    }

    private static final String TOKENS = "a comma-separated list of tokens (letters, digits and !#$%&'*+-.^_`|~; ";

    /** A good Ingress "b" beside the one under test, to show that a bad one stays local. */
    private static final ClusterEvent GOOD = ing("b", 9, Map.of());

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("enable-cors alone takes ingress-nginx's defaults: any origin, its methods and headers, credentials, 20 days",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true"))),
                        table(List.of("ns/a"), List.of(host("a", cors(DEFAULTS))))),

                row("every CORS value is taken as written",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true",
                                N + "cors-allow-origin", "https://origin.cors.com:8080, http://*.origin.com, null",
                                N + "cors-allow-methods", "POST, GET", N + "cors-allow-headers", "DNT, User-Agent",
                                N + "cors-allow-credentials", "false", N + "cors-expose-headers", "X-CustomResponseHeader, *",
                                N + "cors-max-age", "200"))),
                        table(List.of("ns/a"), List.of(host("a", cors(new Cors(List.of("https://origin.cors.com:8080",
                                "http://*.origin.com", "null"), "POST, GET", "DNT, User-Agent", false,
                                "X-CustomResponseHeader, *", 200)))))),

                row("cors-* annotations without enable-cors do nothing",
                        with(ing("a", 1, Map.of(N + "cors-allow-origin", "https://a.com", N + "enable-cors", "false"))),
                        table(List.of("ns/a"), List.of(host("a", null)))),

                row("a * among the origins makes it any origin, as ingress-nginx stops at it",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true", N + "cors-allow-origin", "https://a.com, *, foo.bar.com"))),
                        table(List.of("ns/a"), List.of(host("a", cors(origins("*")))))),

                row("a blank cors-allow-origin is any origin, and empty entries are skipped",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true", N + "cors-allow-origin", "      ")),
                                ing("b", 2, Map.of(N + "enable-cors", "true",
                                        N + "cors-allow-origin", "https://o-123.cors.com:8080,   ,https://o-321.cors.com:8080,"))),
                        table(List.of("ns/a", "ns/b"), List.of(host("a", cors(origins("*"))),
                                host("b", cors(origins("https://o-123.cors.com:8080", "https://o-321.cors.com:8080")))))),

                row("an origin without a scheme never matches: skipped with a warning, the others kept",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true",
                                N + "cors-allow-origin", "origin.cors.com:8080, https://origin2.cors.com, tauri://localhost:3000"))),
                        table(List.of("ns/a"), List.of(host("a", cors(origins("https://origin2.cors.com", "tauri://localhost:3000")))),
                                warning("ns", "a", "annotation " + N + "cors-allow-origin: \"origin.cors.com:8080\" has no "
                                        + "scheme (https://origin.cors.com:8080?) and never matches an Origin; ignored, as "
                                        + "ingress-nginx ignores it"))),

                row("Signalbox's prefix wins over ingress-nginx's",
                        with(ing("a", 1, Map.of(N + "enable-cors", "false", S + "enable-cors", "true",
                                N + "cors-max-age", "5", S + "cors-max-age", "7"))),
                        table(List.of("ns/a"), List.of(host("a", cors(new Cors(DEFAULTS.allowOrigins(),
                                DEFAULTS.allowMethods(), DEFAULTS.allowHeaders(), true, null, 7)))))),

                row("a malformed enable-cors is an error and the Ingress is not routed; the other is",
                        with(ing("a", 1, Map.of(N + "enable-cors", "yes")), GOOD),
                        table(List.of("ns/a", "ns/b"), List.of(host("b", null)),
                                notRouted("a", N + "enable-cors", "yes", "true or false"))),

                row("an origin carrying a header injection is an error, not a fallback to * as in ingress-nginx",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true",
                                N + "cors-allow-origin", "https://a.com\r\nSet-Cookie: x=1")), GOOD),
                        table(List.of("ns/a", "ns/b"), List.of(host("b", null)),
                                notRouted("a", N + "cors-allow-origin", "https://a.com\\x0D\\x0ASet-Cookie: x=1",
                                        "a comma-separated list of origins (scheme://host[:port], scheme://*.domain[:port], "
                                                + "null or *; \"https://a.com\\x0D\\x0ASet-Cookie: x=1\" is not one)"))),

                row("an upper-case scheme, which ingress-nginx's validator refuses, is an error",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true", N + "cors-allow-origin", "HTTPS://A.COM"))),
                        table(List.of("ns/a"), List.of(), notRouted("a", N + "cors-allow-origin", "HTTPS://A.COM",
                                "a comma-separated list of origins (scheme://host[:port], scheme://*.domain[:port], null or *; "
                                        + "\"HTTPS://A.COM\" is not one)"))),

                row("methods carrying a line break are an error",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true", N + "cors-allow-methods", "GET\nX-Evil: 1"))),
                        table(List.of("ns/a"), List.of(), notRouted("a", N + "cors-allow-methods", "GET\\x0AX-Evil: 1",
                                TOKENS + "\"GET\\x0AX-Evil: 1\" is not one)"))),

                row("allowed headers with an nginx variable or a quote are an error",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true", N + "cors-allow-headers", "X-A, $pid\"")),
                                ing("c", 2, Map.of(N + "enable-cors", "true", N + "cors-expose-headers", "X-A; X-B"))),
                        table(List.of("ns/a", "ns/c"), List.of(),
                                notRouted("a", N + "cors-allow-headers", "X-A, $pid\"", TOKENS + "\"$pid\"\" is not one)"),
                                notRouted("c", N + "cors-expose-headers", "X-A; X-B", TOKENS + "\"X-A; X-B\" is not one)"))),

                row("a max-age that is negative or not a number is an error",
                        with(ing("a", 1, Map.of(N + "enable-cors", "true", N + "cors-max-age", "-1")),
                                ing("c", 2, Map.of(N + "enable-cors", "true", N + "cors-max-age", "ten"))),
                        table(List.of("ns/a", "ns/c"), List.of(),
                                notRouted("a", N + "cors-max-age", "-1", "a number of seconds (0 or more)"),
                                notRouted("c", N + "cors-max-age", "ten", "an integer"))),

                row("response-headers sets each line's field in order; blank lines are skipped; an empty value removes",
                        with(ing("a", 1, Map.of(RH, "X-Frame-Options: DENY\n\n  Strict-Transport-Security:max-age=31536000; preload \nServer:\n"))),
                        table(List.of("ns/a"), List.of(host("a", fields(new Field("X-Frame-Options", "DENY"),
                                new Field("Strict-Transport-Security", "max-age=31536000; preload"), new Field("Server", "")))))),

                row("CORS and response-headers go together onto a route that also rewrites",
                        with(annotated("ns", "a", 1, Map.of(N + "enable-cors", "true", RH, "X-A: 1", N + "rewrite-target", "/$1"),
                                rule("a.com", path("/api/(.*)", "ImplementationSpecific", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("a.com", List.of(new Route("/api/(.*)", REGEX, WEB,
                                C + "/ns/a", false, new RouteOptions("/$1", null, null, null, null, null,
                                null, new HeaderOptions(DEFAULTS, List.of(new Field("X-A", "1"))), null))))))),

                row("response-headers may not set identity, framing or connection fields",
                        with(ing("a", 1, Map.of(RH, "X-Forwarded-For: 1.2.3.4")), ing("c", 2, Map.of(RH, "content-length: 0")),
                                ing("d", 3, Map.of(RH, "X-A: 1\nssl-client-verify: SUCCESS")), ing("e", 4, Map.of(RH, "Host: evil")),
                                ing("f", 5, Map.of(RH, "Transfer-Encoding: chunked")), GOOD),
                        table(List.of("ns/a", "ns/b", "ns/c", "ns/d", "ns/e", "ns/f"), List.of(host("b", null)),
                                badLine("a", "line 1 (\"X-Forwarded-For: 1.2.3.4\")", "sets X-Forwarded-For, which only the "
                                        + "proxy writes (framing, connection and identity fields)"),
                                badLine("c", "line 1 (\"content-length: 0\")", "sets content-length, which only the "
                                        + "proxy writes (framing, connection and identity fields)"),
                                badLine("d", "line 2 (\"ssl-client-verify: SUCCESS\")", "sets ssl-client-verify, which only "
                                        + "the proxy writes (framing, connection and identity fields)"),
                                badLine("e", "line 1 (\"Host: evil\")", "sets Host, which only the proxy writes (framing, "
                                        + "connection and identity fields)"),
                                badLine("f", "line 1 (\"Transfer-Encoding: chunked\")", "sets Transfer-Encoding, which only "
                                        + "the proxy writes (framing, connection and identity fields)"))),

                row("response-headers refuses a CR, a NUL, non-ASCII, a line without a colon, a name with a space, and a repeat",
                        with(ing("a", 1, Map.of(RH, "X-A: 1\r\nSet-Cookie: s=1")), ing("c", 2, Map.of(RH, "X-A: a\u0000b")),
                                ing("d", 3, Map.of(RH, "X-A: caf\u00e9")), ing("e", 4, Map.of(RH, "X-A 1")),
                                ing("f", 5, Map.of(RH, "X A: 1")), ing("g", 6, Map.of(RH, "X-A: 1\nx-a: 2"))),
                        table(List.of("ns/a", "ns/c", "ns/d", "ns/e", "ns/f", "ns/g"), List.of(),
                                badLine("a", "line 1 (\"X-A: 1\\x0D\")", "has a value with characters a header cannot carry "
                                        + "(CR, LF, NUL, other controls, or non-ASCII)"),
                                badLine("c", "line 1 (\"X-A: a\\x00b\")", "has a value with characters a header cannot carry "
                                        + "(CR, LF, NUL, other controls, or non-ASCII)"),
                                badLine("d", "line 1 (\"X-A: caf\\xE9\")", "has a value with characters a header cannot carry "
                                        + "(CR, LF, NUL, other controls, or non-ASCII)"),
                                badLine("e", "line 1 (\"X-A 1\")", "is not \"Name: value\" with a field name of letters, "
                                        + "digits and !#$%&'*+-.^_`|~"),
                                badLine("f", "line 1 (\"X A: 1\")", "is not \"Name: value\" with a field name of letters, "
                                        + "digits and !#$%&'*+-.^_`|~"),
                                badLine("g", "line 2 (\"x-a: 2\")", "sets x-a a second time"))),

                row("response-headers under ingress-nginx's prefix is unknown and does nothing",
                        with(ing("a", 1, Map.of(N + "response-headers", "X-A: 1"))),
                        table(List.of("ns/a"), List.of(host("a", null)), warning("ns", "a", "annotation " + N
                                + "response-headers is unknown: not an annotation ingress-nginx defines (a typo?); ignored"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
