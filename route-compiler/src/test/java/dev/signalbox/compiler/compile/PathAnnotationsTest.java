package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.EXACT;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static dev.signalbox.schemas.snapshot.PathMatch.REGEX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.snapshot.Diagnostic;
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
 * ingress-nginx's path and redirect annotations (issue 18): objects in, the whole table out, one row a case, as
 * RouteCompilerTest. Values, defaults, malformed values, and how they act on the other Ingresses of a host.
 */
class PathAnnotationsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static Route route(String path, PathMatch match, String ingress, RouteOptions options) {
        return new Route(path, match, WEB, C + "/" + ingress, false, options);
    }

    private static RouteOptions rewrite(String target, String prefix) {
        return new RouteOptions(target, prefix, null, null, null, null, null, null, null);
    }

    private static RouteOptions redirect(int code, String url) {
        return new RouteOptions(null, null, new RouteOptions.Redirect(code, url, RouteOptions.Redirect.Kind.URL), null, null, null, null, null, null);
    }

    private static RoutingTable table(List<String> ingresses, List<VirtualHost> hosts, List<Diagnostic> diagnostics) {
        return new RoutingTable(hosts, null, hosts.isEmpty() ? List.of() : List.of(WEB80), List.of(),
                ingresses.stream().map(i -> C + "/" + i).toList(), diagnostics);
    }

    private static VirtualHost host(String name, Route... routes) {
        return new VirtualHost(name, List.of(routes));
    }

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    private static String notRouted(String annotation, String value, String expected) {
        return "annotation " + annotation + ": \"" + value + "\" is not " + expected
                + "; the Ingress is not routed until it is corrected";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("rewrite-target with capture groups makes the path a regular expression and rewrites to its groups",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "rewrite-target", "/$2", N + "use-regex", "true"),
                                rule("foo.com", path("/something(/|$)(.*)", "ImplementationSpecific", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(host("foo.com",
                                route("/something(/|$)(.*)", REGEX, "ns/a", rewrite("/$2", null)))), List.of())),

                row("rewrite-target alone makes the paths regular expressions too, and x-forwarded-prefix goes with the rewrite",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "rewrite-target", "/", N + "x-forwarded-prefix", "/app"),
                                rule("foo.com", path("/app", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(host("foo.com", route("/app", REGEX, "ns/a", rewrite("/", "/app")))),
                                List.of())),

                row("a rewrite-target equal to the path rewrites nothing and leaves the paths literal, as ingress-nginx's needsRewrite",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "rewrite-target", "/", N + "x-forwarded-prefix", "/app"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(host("foo.com", route("/", PREFIX, "ns/a", null))), List.of())),

                row("use-regex on one Ingress makes every path of its host a regular expression, Exact ones included, "
                                + "ordered longest first then in reverse order, as ingress-nginx's locations",
                        withWeb(ingress("ns", "plain", 1, rule("foo.com", path("/foo/bar/bar", "Exact", svc("web", 80)),
                                        path("/foo/bar/baz", "Prefix", svc("web", 80)))),
                                annotated("ns", "regex", 2, Map.of(N + "use-regex", "true"),
                                        rule("foo.com", path("/foo/bar/[a-z]{3}", "ImplementationSpecific", svc("web", 80)))),
                                ingress("ns", "other", 3, rule("bar.com", path("/foo", "Exact", svc("web", 80))))),
                        table(List.of("ns/other", "ns/plain", "ns/regex"), List.of(
                                host("bar.com", route("/foo", EXACT, "ns/other", null)),
                                host("foo.com", route("/foo/bar/[a-z]{3}", REGEX, "ns/regex", null),
                                        route("/foo/bar/baz", REGEX, "ns/plain", null),
                                        route("/foo/bar/bar", REGEX, "ns/plain", null))), List.of())),

                row("use-regex false changes nothing",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "use-regex", "false"),
                                rule("foo.com", path("/a", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(host("foo.com", route("/a", PREFIX, "ns/a", null))), List.of())),

                row("a path RE2 cannot compile is an error on the Ingress that has it, even when another Ingress made the host regex",
                        withWeb(annotated("ns", "regex", 1, Map.of(N + "use-regex", "true"),
                                        rule("foo.com", path("/ok/.*", "ImplementationSpecific", svc("web", 80)))),
                                ingress("ns", "plain", 2, rule("foo.com", path("/a(b", "Prefix", svc("web", 80)),
                                        path("/c", "Prefix", svc("web", 80))))),
                        table(List.of("ns/plain", "ns/regex"), List.of(host("foo.com", route("/ok/.*", REGEX, "ns/regex", null),
                                route("/c", REGEX, "ns/plain", null))), List.of(error("ns", "plain",
                                "host foo.com: path \"/a(b\" is not a regular expression Signalbox accepts (RE2 syntax: no "
                                        + "backreferences or lookaround): missing closing ); path ignored")))),

                row("a lookahead, which RE2 does not have, is refused",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "use-regex", "true"),
                                rule("foo.com", path("/(?!admin).*", "ImplementationSpecific", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(), List.of(error("ns", "a",
                                "host foo.com: path \"/(?!admin).*\" is not a regular expression Signalbox accepts (RE2 "
                                        + "syntax: no backreferences or lookaround): invalid or unsupported Perl syntax; path ignored")))),

                row("a malformed use-regex is an error and the Ingress is not routed; the others are",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "use-regex", "yes"), rule("foo.com", path("/a", "Prefix", svc("web", 80)))),
                                ingress("ns", "b", 2, rule("foo.com", path("/b", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(host("foo.com", route("/b", PREFIX, "ns/b", null))),
                                List.of(error("ns", "a", notRouted(N + "use-regex", "yes", "true or false"))))),

                row("a rewrite-target with characters ingress-nginx refuses is an error and the Ingress is not routed",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "rewrite-target", "/$1;return 200"),
                                rule("foo.com", path("/a", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(), List.of(error("ns", "a", notRouted(N + "rewrite-target",
                                "/$1;return 200", "a path with $1..$9 groups (letters, digits and -._~/:$ only)"))))),

                row("app-root applies to the whole host, the oldest Ingress's value winning",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "app-root", "/app1"), rule("foo.com", path("/", "Prefix", svc("web", 80)))),
                                annotated("ns", "b", 2, Map.of(N + "app-root", "/other"), rule("foo.com", path("/b", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(host("foo.com",
                                route("/b", PREFIX, "ns/b", new RouteOptions(null, null, null, "/app1", null, null, null, null, null)),
                                route("/", PREFIX, "ns/a", new RouteOptions(null, null, null, "/app1", null, null, null, null, null)))),
                                List.of(warning("ns", "b", "app-root \"/other\" for host foo.com ignored: the older Ingress "
                                        + "ns/a in cluster c1 sets \"/app1\"")))),

                row("an app-root that is not a path is an error",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "app-root", "app"), rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(), List.of(error("ns", "a",
                                notRouted(N + "app-root", "app", "a path starting with '/'"))))),

                row("permanent-redirect answers 301 by default",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "permanent-redirect", "https://www.google.com"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(host("foo.com", route("/", PREFIX, "ns/a",
                                redirect(301, "https://www.google.com")))), List.of())),

                row("permanent-redirect-code sets the code; one out of 300-308 is the default",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "permanent-redirect", "https://x.com/a?b=c", N + "permanent-redirect-code", "308"),
                                        rule("a.com", path("/", "Prefix", svc("web", 80)))),
                                annotated("ns", "b", 2, Map.of(N + "permanent-redirect", "http://x.com", N + "permanent-redirect-code", "200"),
                                        rule("b.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(host("a.com", route("/", PREFIX, "ns/a", redirect(308, "https://x.com/a?b=c"))),
                                host("b.com", route("/", PREFIX, "ns/b", redirect(301, "http://x.com")))), List.of())),

                row("temporal-redirect answers 302 and wins over permanent-redirect; its code may be 300-307",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "temporal-redirect", "https://t.com", N + "permanent-redirect", "https://p.com",
                                        N + "temporal-redirect-code", "307"), rule("a.com", path("/", "Prefix", svc("web", 80)))),
                                annotated("ns", "b", 2, Map.of(N + "temporal-redirect", "https://t.com", N + "temporal-redirect-code", "308"),
                                        rule("b.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(host("a.com", route("/", PREFIX, "ns/a", redirect(307, "https://t.com"))),
                                host("b.com", route("/", PREFIX, "ns/b", redirect(302, "https://t.com")))), List.of())),

                row("a redirect to something other than an http(s) URL, and a code that is not a number, are errors",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "permanent-redirect", "javascript:alert(1)"),
                                        rule("a.com", path("/", "Prefix", svc("web", 80)))),
                                annotated("ns", "b", 2, Map.of(N + "temporal-redirect", "https://t.com", N + "temporal-redirect-code", "moved"),
                                        rule("b.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(), List.of(
                                error("ns", "a", notRouted(N + "permanent-redirect", "javascript:alert(1)",
                                        "an http or https URL (letters, digits and -._~/:,?&= only)")),
                                error("ns", "b", notRouted(N + "temporal-redirect-code", "moved", "an integer"))))),

                row("from-to-www-redirect adds the www. name as a host that redirects with 308, unless it is a host already",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "from-to-www-redirect", "true"),
                                        rule("foo.com", path("/", "Prefix", svc("web", 80)))),
                                annotated("ns", "b", 2, Map.of(N + "from-to-www-redirect", "true"),
                                        rule("www.bar.com", path("/", "Prefix", svc("web", 80))),
                                        rule("baz.com", path("/", "Prefix", svc("web", 80)))),
                                ingress("ns", "c", 3, rule("www.baz.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b", "ns/c"), List.of(
                                host("bar.com", route("/", PREFIX, "ns/b", new RouteOptions(null, null,
                                        new RouteOptions.Redirect(308, "www.bar.com", RouteOptions.Redirect.Kind.HOST), null, null, null, null, null, null))),
                                host("baz.com", route("/", PREFIX, "ns/b", null)),
                                host("foo.com", route("/", PREFIX, "ns/a", null)),
                                host("www.bar.com", route("/", PREFIX, "ns/b", null)),
                                host("www.baz.com", route("/", PREFIX, "ns/c", null)),
                                host("www.foo.com", route("/", PREFIX, "ns/a", new RouteOptions(null, null,
                                        new RouteOptions.Redirect(308, "foo.com", RouteOptions.Redirect.Kind.HOST), null, null, null, null, null, null)))),
                                List.of(warning("ns", "b", "from-to-www-redirect from www.baz.com to baz.com not made: "
                                        + "www.baz.com is a host of its own")))),

                row("server-alias serves the Ingress's first host under more names, with every route of that host, "
                                + "but not a name that is a host already",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "server-alias", "Bar.com, baz.com,,other.com"),
                                        rule("foo.com", path("/a", "Prefix", svc("web", 80)))),
                                ingress("ns", "b", 2, rule("foo.com", path("/b", "Prefix", svc("web", 80))),
                                        rule("other.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(
                                host("bar.com", route("/a", PREFIX, "ns/a", null), route("/b", PREFIX, "ns/b", null)),
                                host("baz.com", route("/a", PREFIX, "ns/a", null), route("/b", PREFIX, "ns/b", null)),
                                host("foo.com", route("/a", PREFIX, "ns/a", null), route("/b", PREFIX, "ns/b", null)),
                                host("other.com", route("/", PREFIX, "ns/b", null))),
                                List.of(warning("ns", "a", "server-alias other.com ignored: it is already a host")))),

                row("a server-alias that is not a host name is an error",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "server-alias", "~^www\\d+\\.example\\.com$"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(), List.of(error("ns", "a", notRouted(N + "server-alias",
                                "~^www\\d+\\.example\\.com$", "a comma-separated list of host names (\"~^www\\d+\\.example\\.com$\" is not one)"))))),

                row("Signalbox's prefix wins over ingress-nginx's for the same annotation",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "permanent-redirect", "https://nginx.com",
                                        "signalbox.dev/permanent-redirect", "https://signalbox.dev"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(host("foo.com", route("/", PREFIX, "ns/a",
                                redirect(301, "https://signalbox.dev")))), List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
