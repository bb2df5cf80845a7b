package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static dev.signalbox.schemas.snapshot.PathMatch.REGEX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ingress-nginx's canary and session affinity annotations (issue 18): objects in, the whole table out, one row a
 * case, as RouteCompilerTest. Canary rules and their precedence fields, defaults, malformed values, a second canary,
 * a canary without a main Ingress, and how affinity goes with the canary.
 */
class TrafficAnnotationsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final Backend WEB80 = backend("ns", "web", "80", ep("10.0.0.1", 8080));
    private static final Backend NEXT80 = backend("ns", "next", "80", ep("10.0.1.1", 8080));
    private static final Backend OTHER80 = backend("ns", "other", "80", ep("10.0.2.1", 8080));
    private static final String WEB = id("ns", "web", "80");
    private static final String NEXT = id("ns", "next", "80");
    private static final Traffic.Affinity STICKY = new Traffic.Affinity("INGRESSCOOKIE", null, null, null, null, null,
            null, false, false, false);

    private static List<ClusterEvent> with(ClusterEvent... ingresses) {
        return Stream.concat(Stream.of(ourClass(false),
                service("ns", "web", port("http", 80, "8080")),
                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.1")),
                service("ns", "next", port("http", 80, "8080")),
                slice("ns", "next-abc", "next", slicePort("http", 8080), ready("10.0.1.1")),
                service("ns", "other", port("http", 80, "8080")),
                slice("ns", "other-abc", "other", slicePort("http", 8080), ready("10.0.2.1"))),
                Stream.of(ingresses)).toList();
    }

    private static ClusterEvent main(Map<String, String> annotations) {
        return annotated("ns", "main", 1, annotations, rule("foo.com", path("/", "Prefix", svc("web", 80))));
    }

    private static ClusterEvent canary(String name, int created, String service, Map<String, String> annotations) {
        return annotated("ns", name, created, annotations, rule("foo.com", path("/", "Prefix", svc(service, 80))));
    }

    private static Map<String, String> canaryWith(String... pairs) {
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        m.put(N + "canary", "true");
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(N + pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Traffic.Canary canaryOf(String header, String value, String pattern, String cookie, int weight,
                                           int total, Traffic.Affinity affinity) {
        return new Traffic.Canary(NEXT, C + "/ns/canary", header, value, pattern, cookie, weight, total,
                new Traffic.Balancer(affinity, null, null));
    }

    private static Traffic traffic(Traffic.Canary canary, Traffic.Affinity affinity) {
        return new Traffic(canary, new Traffic.Balancer(affinity, null, null), null);
    }

    private static Route route(PathMatch match, Traffic traffic) {
        return new Route("/", match, WEB, C + "/ns/main", false,
                traffic == null ? null : new RouteOptions(null, null, null, null, null, traffic, null, null, null));
    }

    private static RoutingTable table(List<String> ingresses, Route route, List<Backend> backends,
                                      List<Diagnostic> diagnostics) {
        return new RoutingTable(route == null ? List.of() : List.of(new VirtualHost("foo.com", List.of(route))), null,
                backends, List.of(), ingresses.stream().map(i -> C + "/" + i).toList(), diagnostics);
    }

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    private static String notRouted(String annotation, String value, String expected) {
        return "annotation " + N + annotation + ": \"" + value + "\" is not " + expected
                + "; the Ingress is not routed until it is corrected";
    }

    private static final List<String> BOTH = List.of("ns/canary", "ns/main");

    static Stream<Arguments> cases() {
        return Stream.of(
                row("a canary Ingress for the same host and path folds its Service into the main route with its rules",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-by-header", "X-Canary",
                                "canary-by-cookie", "canary", "canary-weight", "20"))),
                        table(BOTH, route(PREFIX, traffic(canaryOf("X-Canary", null, null, "canary", 20, 100, null),
                                null)), List.of(NEXT80, WEB80), List.of())),

                row("canary defaults: weight 0 of 100, no header, no cookie",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith())),
                        table(BOTH, route(PREFIX, traffic(canaryOf(null, null, null, null, 0, 100, null), null)),
                                List.of(NEXT80, WEB80), List.of())),

                row("canary-by-header-value is kept with its header and wins over the pattern, which is then dropped",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-by-header", "X-Version",
                                "canary-by-header-value", "v2", "canary-by-header-pattern", "^v[23]$",
                                "canary-weight", "5", "canary-weight-total", "1000"))),
                        table(BOTH, route(PREFIX, traffic(canaryOf("X-Version", "v2", null, null, 5, 1000, null), null)),
                                List.of(NEXT80, WEB80), List.of())),

                row("canary-by-header-pattern is kept when no value is set; value and pattern without a header are dropped",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-by-header", "X-Version",
                                "canary-by-header-pattern", "^v[23]$"))),
                        table(BOTH, route(PREFIX, traffic(canaryOf("X-Version", null, "^v[23]$", null, 0, 100, null),
                                null)), List.of(NEXT80, WEB80), List.of())),

                row("a malformed canary-weight is an error on the canary Ingress, which then splits nothing; the main "
                                + "route is untouched",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-weight", "abc"))),
                        table(BOTH, route(PREFIX, null), List.of(WEB80), List.of(error("ns", "canary",
                                notRouted("canary-weight", "abc", "an integer, 0 or more"))))),

                row("a canary-weight above the canary-weight-total is an error",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-weight", "30",
                                "canary-weight-total", "20"))),
                        table(BOTH, route(PREFIX, null), List.of(WEB80), List.of(error("ns", "canary",
                                notRouted("canary-weight", "30", "at most the canary-weight-total, 20"))))),

                row("a canary-by-header-pattern RE2 refuses is an error",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-by-header", "X-V",
                                "canary-by-header-pattern", "(?!v1)"))),
                        table(BOTH, route(PREFIX, null), List.of(WEB80), List.of(error("ns", "canary",
                                notRouted("canary-by-header-pattern", "(?!v1)", "a regular expression Signalbox accepts "
                                        + "(RE2 syntax: no backreferences or lookaround): invalid or unsupported Perl syntax"))))),

                row("a canary-by-header that is not a header name is an error (nothing can be injected)",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-by-header", "X-A: b\r\nc"))),
                        table(BOTH, route(PREFIX, null), List.of(WEB80), List.of(error("ns", "canary",
                                notRouted("canary-by-header", "X-A: b\r\nc", "a header name"))))),

                row("a second canary for the same path is a warning and the older canary keeps it",
                        with(main(Map.of()), canary("canary", 2, "next", canaryWith("canary-weight", "10")),
                                canary("canary2", 3, "other", canaryWith("canary-weight", "50"))),
                        table(List.of("ns/canary", "ns/canary2", "ns/main"),
                                route(PREFIX, traffic(canaryOf(null, null, null, null, 10, 100, null), null)),
                                List.of(NEXT80, WEB80), List.of(warning("ns", "canary2", "canary path \"/\" (Prefix) of "
                                        + "host foo.com already has a canary, the older Ingress ns/canary in cluster " + C
                                        + " (one canary per path, as in ingress-nginx); ignored")))),

                row("a canary without a main Ingress makes no route of its own",
                        with(canary("canary", 2, "next", canaryWith("canary-weight", "100"))),
                        table(List.of("ns/canary"), null, List.of(), List.of(warning("ns", "canary", "canary path \"/\" "
                                + "(Prefix) of host foo.com: no other Ingress routes this host and path, so there is nothing "
                                + "to split; a canary Ingress makes no routes of its own")))),

                row("a canary older than its main Ingress still folds into it, and its other annotations are the main's",
                        with(annotated("ns", "main", 5, Map.of(N + "use-regex", "true"),
                                        rule("foo.com", path("/", "Prefix", svc("web", 80)))),
                                canary("canary", 1, "next", canaryWith("canary-weight", "10", "rewrite-target", "/x"))),
                        table(BOTH, route(REGEX, traffic(canaryOf(null, null, null, null, 10, 100, null), null)),
                                List.of(NEXT80, WEB80), List.of(warning("ns", "canary", "annotation " + N + "rewrite-target "
                                        + "is ignored on a canary Ingress: the main Ingress's applies (as in ingress-nginx)")))),

                row("canary annotations without canary: \"true\" are warnings and the Ingress routes as an ordinary one",
                        with(annotated("ns", "main", 1, Map.of(N + "canary-weight", "50"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/main"), route(PREFIX, null), List.of(WEB80), List.of(warning("ns", "main",
                                "annotation " + N + "canary-weight is ignored: " + N + "canary is not \"true\"")))),

                row("affinity: cookie with defaults gives the route sticky sessions on INGRESSCOOKIE",
                        with(main(Map.of(N + "affinity", "cookie"))),
                        table(List.of("ns/main"), route(PREFIX, traffic(null, STICKY)), List.of(WEB80), List.of())),

                row("every session-cookie annotation is kept",
                        with(main(Map.of(N + "affinity", "cookie", N + "affinity-mode", "persistent",
                                N + "session-cookie-name", "route", N + "session-cookie-path", "/app",
                                N + "session-cookie-domain", ".foo.com", N + "session-cookie-max-age", "3600",
                                N + "session-cookie-expires", "7200", N + "session-cookie-secure", "true",
                                N + "session-cookie-samesite", "lax", N + "session-cookie-change-on-failure", "true"))),
                        table(List.of("ns/main"), route(PREFIX, traffic(null, new Traffic.Affinity("route", "/app",
                                ".foo.com", 3600L, 7200L, true, "Lax", false, true, true))), List.of(WEB80), List.of())),

                row("a session-cookie-path with ';' is an error: nothing is added to Set-Cookie",
                        with(main(Map.of(N + "affinity", "cookie", N + "session-cookie-path", "/;Domain=evil.com"))),
                        table(List.of("ns/main"), null, List.of(), List.of(error("ns", "main",
                                notRouted("session-cookie-path", "/;Domain=evil.com",
                                        "a path starting with '/' (no ';', spaces or controls)"))))),

                row("an affinity other than cookie is an error",
                        with(main(Map.of(N + "affinity", "ip"))),
                        table(List.of("ns/main"), null, List.of(), List.of(error("ns", "main",
                                notRouted("affinity", "ip", "cookie (the only affinity ingress-nginx has)"))))),

                row("the canary's backend keeps sessions as the main route does (affinity-canary-behavior sticky, "
                                + "the default), whatever the canary Ingress says",
                        with(main(Map.of(N + "affinity", "cookie")), canary("canary", 2, "next", canaryWith(
                                "canary-weight", "50", "affinity", "cookie", "session-cookie-name", "mine"))),
                        table(BOTH, route(PREFIX, traffic(canaryOf(null, null, null, null, 50, 100, STICKY), STICKY)),
                                List.of(NEXT80, WEB80), List.of())),

                row("with affinity-canary-behavior legacy the canary's backend keeps the canary Ingress's own affinity, "
                                + "here none",
                        with(main(Map.of(N + "affinity", "cookie")), canary("canary", 2, "next", canaryWith(
                                "canary-weight", "50", "affinity-canary-behavior", "legacy"))),
                        table(BOTH, route(PREFIX, traffic(canaryOf(null, null, null, null, 50, 100, null), STICKY)),
                                List.of(NEXT80, WEB80), List.of())),

                row("upstream-hash-by, load-balance and upstream-vhost are kept; the canary keeps its own hash and the "
                                + "main route's Host",
                        with(main(Map.of(N + "upstream-hash-by", "$request_uri$host", N + "load-balance", "ewma",
                                        N + "upstream-vhost", "web.ns.svc:8080")),
                                canary("canary", 2, "next", canaryWith("canary-weight", "10",
                                        "upstream-hash-by", "$remote_addr", "upstream-vhost", "x.svc"))),
                        table(BOTH, route(PREFIX, new Traffic(new Traffic.Canary(NEXT, C + "/ns/canary", null, null, null,
                                        null, 10, 100, new Traffic.Balancer(null, "$remote_addr", null)),
                                        new Traffic.Balancer(null, "$request_uri$host", "ewma"), "web.ns.svc:8080")),
                                List.of(NEXT80, WEB80), List.of(warning("ns", "canary", "annotation " + N + "upstream-vhost "
                                        + "is ignored on a canary Ingress: the main Ingress's applies (as in ingress-nginx)")))),

                row("load-balance round_robin is the default and asks for nothing",
                        with(main(Map.of(N + "load-balance", "round_robin"))),
                        table(List.of("ns/main"), route(PREFIX, null), List.of(WEB80), List.of())),

                row("an upstream-hash-by naming a variable Signalbox does not know is an error",
                        with(main(Map.of(N + "upstream-hash-by", "$request_uri$binary_remote_addr"))),
                        table(List.of("ns/main"), null, List.of(), List.of(error("ns", "main",
                                notRouted("upstream-hash-by", "$request_uri$binary_remote_addr", "made of variables "
                                        + "Signalbox knows ($binary_remote_addr is not one: request_uri, uri, args, "
                                        + "query_string, remote_addr, host, scheme, http_*, cookie_*, arg_*)"))))),

                row("upstream-hash-by-subset takes ingress-nginx's default size, 3",
                        with(main(Map.of(N + "upstream-hash-by", "$remote_addr", N + "upstream-hash-by-subset", "true"))),
                        table(List.of("ns/main"), route(PREFIX, new Traffic(null, new Traffic.Balancer(null, "$remote_addr",
                                null, 3), null)), List.of(WEB80), List.of())),

                row("upstream-hash-by-subset-size sets the size; the canary keeps its own",
                        with(main(Map.of(N + "upstream-hash-by", "$remote_addr", N + "upstream-hash-by-subset", "true",
                                        N + "upstream-hash-by-subset-size", "5")),
                                canary("canary", 2, "next", canaryWith("canary-weight", "10", "upstream-hash-by", "$host",
                                        "upstream-hash-by-subset", "true", "upstream-hash-by-subset-size", "2"))),
                        table(BOTH, route(PREFIX, new Traffic(new Traffic.Canary(NEXT, C + "/ns/canary", null, null, null,
                                        null, 10, 100, new Traffic.Balancer(null, "$host", null, 2)),
                                        new Traffic.Balancer(null, "$remote_addr", null, 5), null)),
                                List.of(NEXT80, WEB80), List.of())),

                row("upstream-hash-by-subset false, or a size alone, hashes onto single endpoints",
                        with(main(Map.of(N + "upstream-hash-by", "$remote_addr", N + "upstream-hash-by-subset", "false",
                                N + "upstream-hash-by-subset-size", "4"))),
                        table(List.of("ns/main"), route(PREFIX, new Traffic(null, new Traffic.Balancer(null, "$remote_addr",
                                null), null)), List.of(WEB80), List.of())),

                row("upstream-hash-by-subset without upstream-hash-by is ignored with a warning",
                        with(main(Map.of(N + "upstream-hash-by-subset", "true"))),
                        table(List.of("ns/main"), route(PREFIX, null), List.of(WEB80), List.of(warning("ns", "main",
                                "annotation " + N + "upstream-hash-by-subset is ignored without " + N + "upstream-hash-by")))),

                row("an upstream-hash-by-subset-size that is no positive integer is an error",
                        with(main(Map.of(N + "upstream-hash-by", "$remote_addr", N + "upstream-hash-by-subset", "true",
                                N + "upstream-hash-by-subset-size", "0"))),
                        table(List.of("ns/main"), null, List.of(), List.of(error("ns", "main",
                                notRouted("upstream-hash-by-subset-size", "0", "a positive integer (at most 1000)"))))),

                row("an upstream-vhost that could add a header line is an error",
                        with(main(Map.of(N + "upstream-vhost", "a.svc\r\nX-Evil: 1"))),
                        table(List.of("ns/main"), null, List.of(), List.of(error("ns", "main",
                                notRouted("upstream-vhost", "a.svc\r\nX-Evil: 1", "a host name with an optional port"))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
