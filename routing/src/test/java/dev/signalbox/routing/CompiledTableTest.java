package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CompiledTableTest {
    /** A proxy in the tables' cluster, in no known zone: every endpoint is local-cluster. */
    private static CompiledTable compile(RoutingSnapshot snapshot) {
        return CompiledTable.compile(snapshot, new Locality("c", null, Locality.Policy.PREFER_LOCAL));
    }

    private static Backend backend(String name, int port) {
        return new Backend("c/default/" + name + ":80", "c", "default", name, "80",
                List.of(new Endpoint("10.0.0.1", port)), null);
    }

    private static final Backend EXACT = backend("exact", 1);
    private static final Backend API = backend("api", 2);
    private static final Backend ROOT = backend("root", 3);
    private static final Backend WILD = backend("wild", 4);
    private static final Backend ANY = backend("any", 5);
    private static final Backend DEFAULT = backend("default", 6);
    private static final Backend EMPTY = new Backend("c/default/empty:80", "c", "default", "empty", "80", List.of(),
            "service default/empty has no ready endpoints");

    private static Route prefix(String path, Backend b) {
        return new Route(path, PathMatch.PREFIX, b.id(), "c/default/ing");
    }

    private static Route exact(String path, Backend b) {
        return new Route(path, PathMatch.EXACT, b.id(), "c/default/ing");
    }

    private static final List<VirtualHost> HOSTS = List.of(
            new VirtualHost("foo.com", List.of(exact("/exact", EXACT), prefix("/down", EMPTY), prefix("/api/", API),
                    prefix("/", ROOT))),
            new VirtualHost("only.com", List.of(prefix("/only", ROOT))),
            new VirtualHost("*.foo.com", List.of(prefix("/", WILD))),
            new VirtualHost("*", List.of(prefix("/any", ANY))));

    private static final CompiledTable WITH_DEFAULT = table(DEFAULT.id());
    private static final CompiledTable WITHOUT_DEFAULT = table(null);

    private static CompiledTable table(String defaultBackend) {
        RoutingTable t = new RoutingTable(HOSTS, defaultBackend, List.of(EXACT, API, ROOT, WILD, ANY, DEFAULT, EMPTY),
                List.of(), List.of());
        return compile(SnapshotCodec.create(7, Instant.EPOCH, List.of(), t));
    }

    record Case(String name, CompiledTable table, String host, String uri, Decision expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Decision to(String route, Backend b) {
        return new Decision.Forward(route, b.id(), b.endpoints().get(0), Locality.Tier.LOCAL_CLUSTER);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("An exact path matches the same string", WITH_DEFAULT, "foo.com", "/exact", to("foo.com/exact", EXACT)),
                new Case("An exact path does not match a longer path", WITH_DEFAULT, "foo.com", "/exact/x", to("foo.com/", ROOT)),
                new Case("The query is ignored when matching", WITH_DEFAULT, "foo.com", "/exact?a=b", to("foo.com/exact", EXACT)),
                new Case("The host is matched case-insensitively", WITH_DEFAULT, "FOO.Com", "/exact", to("foo.com/exact", EXACT)),
                new Case("The port is stripped from the host", WITH_DEFAULT, "foo.com:8080", "/exact", to("foo.com/exact", EXACT)),
                new Case("A prefix with a trailing slash matches the bare path", WITH_DEFAULT, "foo.com", "/api", to("foo.com/api/", API)),
                new Case("A prefix matches the path with a trailing slash", WITH_DEFAULT, "foo.com", "/api/", to("foo.com/api/", API)),
                new Case("A prefix matches a deeper path", WITH_DEFAULT, "foo.com", "/api/v1/x", to("foo.com/api/", API)),
                new Case("A prefix does not match a longer path element", WITH_DEFAULT, "foo.com", "/apiary", to("foo.com/", ROOT)),
                new Case("The root prefix matches everything", WITH_DEFAULT, "foo.com", "/whatever/else", to("foo.com/", ROOT)),
                new Case("A route to a backend without endpoints gives 503 with the reason", WITH_DEFAULT, "foo.com", "/down/x",
                        new Decision.Unavailable("foo.com/down", "no ready endpoints for backend c/default/empty:80: "
                                + "service default/empty has no ready endpoints")),
                new Case("A wildcard matches one label", WITH_DEFAULT, "bar.foo.com", "/x", to("*.foo.com/", WILD)),
                new Case("A wildcard does not match the bare domain", WITHOUT_DEFAULT, "foo.org", "/x",
                        new Decision.NotFound("(none)", "no route for host \"foo.org\" and path \"/x\" and no default backend (snapshot version 7)")),
                new Case("A wildcard does not match two labels", WITH_DEFAULT, "a.bar.foo.com", "/x", to("(default)", DEFAULT)),
                new Case("An exact host without a matching path falls through to the any-host routes", WITH_DEFAULT, "only.com", "/any/1", to("*/any", ANY)),
                new Case("An unknown host uses the any-host routes", WITH_DEFAULT, "other.com", "/any", to("*/any", ANY)),
                new Case("An unknown host and path use the default backend", WITH_DEFAULT, "other.com", "/nothing", to("(default)", DEFAULT)),
                new Case("No route and no default backend gives 404 with the reason", WITHOUT_DEFAULT, "other.com", "/nothing?q=1",
                        new Decision.NotFound("(none)", "no route for host \"other.com\" and path \"/nothing\" and no default backend (snapshot version 7)")),
                new Case("A request without a host uses the any-host routes", WITH_DEFAULT, null, "/any", to("*/any", ANY)),
                new Case("An absolute-form target is matched on its path", WITH_DEFAULT, "foo.com", "http://foo.com/exact?x", to("foo.com/exact", EXACT)),
                new Case("A dot segment cannot climb out of a prefix into an exact route", WITH_DEFAULT, "foo.com", "/api/../exact", to("foo.com/exact", EXACT)),
                new Case("An encoded slash does not separate a prefix's elements", WITH_DEFAULT, "foo.com", "/api%2Fv1", to("foo.com/", ROOT)),
                new Case("An empty table routes nothing", CompiledTable.EMPTY, "foo.com", "/",
                        new Decision.NotFound("(none)", "no route for host \"foo.com\" and path \"/\" and no default backend (snapshot version 0)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routes(Case c) {
        // The proxy routes on the normalised path; the table sees only that.
        String path = ((RequestTarget.Valid) RequestTarget.parse("GET", c.uri())).path();
        assertEquals(c.expected(), c.table().route(c.host(), path));
    }

    @org.junit.jupiter.api.Test
    void roundRobinVisitsEveryEndpointInTurn() {
        Backend two = new Backend("c/default/two:80", "c", "default", "two", "80",
                List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80)), null);
        RoutingTable t = new RoutingTable(List.of(), two.id(), List.of(two), List.of(), List.of());
        CompiledTable table = compile(SnapshotCodec.create(1, Instant.EPOCH, List.of(), t));
        List<String> seen = Stream.generate(() -> ((Decision.Forward) table.route("x", "/")).endpoint().address())
                .limit(4).toList();
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"), seen);
    }

    @org.junit.jupiter.api.Test
    void aBackendOverTlsIsForwardedWithItsSettingsAndABrokenOneAnswersWhy() {
        UpstreamTls tls = new UpstreamTls("web.ns.svc", false, null, null, null, null);
        Backend ok = new Backend(Backend.idOf("c", "ns", "web", "443", tls), "c", "ns", "web", "443",
                List.of(new Endpoint("10.0.0.1", 8443)), null, tls);
        Backend broken = new Backend(Backend.idOf("c", "ns", "bad", "443", tls), "c", "ns", "bad", "443", List.of(),
                "HTTPS to the backend is not set up: TLS secret ns/gone does not exist", tls);
        CompiledTable table = compile(SnapshotCodec.create(1, Instant.EPOCH, List.of(), new RoutingTable(
                List.of(new VirtualHost("x.com", List.of(new Route("/bad", PathMatch.PREFIX, broken.id(), "c/ns/i"),
                        new Route("/", PathMatch.PREFIX, ok.id(), "c/ns/i")))), null, List.of(ok, broken), List.of(), List.of())));
        assertEquals(List.of(new Decision.Forward("x.com/", ok.id(), new Endpoint("10.0.0.1", 8443),
                                Locality.Tier.LOCAL_CLUSTER),
                        new Decision.Unavailable("x.com/bad", "backend c/ns/bad:443 tls:web.ns.svc cannot be used: "
                                + "HTTPS to the backend is not set up: TLS secret ns/gone does not exist")),
                List.of(table.route("x.com", "/"), table.route("x.com", "/bad")));
        assertEquals(List.of(tls, "none"), List.of(table.upstreamTls(ok.id()),
                java.util.Objects.requireNonNullElse(table.upstreamTls("c/ns/web:443"), "none")));
    }

    record RedirectCase(String name, String host, String path, boolean overTls, Decision expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final CompiledTable SECURE = compile(SnapshotCodec.create(3, Instant.EPOCH, List.of(),
            new RoutingTable(List.of(
                    new VirtualHost("secure.com", List.of(new Route("/open", PathMatch.PREFIX, API.id(), "c/default/ing", false),
                            new Route("/", PathMatch.PREFIX, ROOT.id(), "c/default/ing", true))),
                    new VirtualHost("*.secure.com", List.of(new Route("/", PathMatch.PREFIX, WILD.id(), "c/default/ing", true)))),
                    null, List.of(API, ROOT, WILD), List.of(), List.of())));

    static Stream<RedirectCase> redirects() {
        return Stream.of(
                new RedirectCase("A plain-HTTP request for a route marked httpsRedirect is redirected", "secure.com", "/x", false,
                        new Decision.RedirectToHttps("secure.com/")),
                new RedirectCase("The same request over TLS is forwarded", "secure.com", "/x", true, to("secure.com/", ROOT)),
                new RedirectCase("A route of the same host without httpsRedirect is forwarded over plain HTTP", "SECURE.com:80", "/open/1", false,
                        to("secure.com/open", API)),
                new RedirectCase("A wildcard route marked httpsRedirect redirects", "a.secure.com", "/", false,
                        new Decision.RedirectToHttps("*.secure.com/")),
                new RedirectCase("A host without routes is not redirected", "other.com", "/", false,
                        new Decision.NotFound("(none)", "no route for host \"other.com\" and path \"/\" and no default backend (snapshot version 3)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redirects")
    void redirectsPlainHttpOnlyForRoutesMarkedSo(RedirectCase c) {
        assertEquals(c.expected(), SECURE.route(c.host(), c.path(), c.overTls()));
    }

    // ingress-nginx's path annotations (issue 18): regex routes in the compiler's order (longest first), rewrites
    // with capture groups, and the redirects the proxy answers itself.
    private static Route regex(String path, Backend b, RouteOptions options) {
        return new Route(path, PathMatch.REGEX, b.id(), "c/default/ing", false, options);
    }

    private static final ProxyLimits LIMITS = new ProxyLimits(0L, 2, 5, 5, List.of("http_502"), 2, null);

    private static RouteOptions rewrite(String target, String prefix) {
        return new RouteOptions(target, prefix, null, null, null, null, null, null, null);
    }

    private static final CompiledTable ANNOTATED = compile(SnapshotCodec.create(5, Instant.EPOCH, List.of(),
            new RoutingTable(List.of(
                    new VirtualHost("re.com", List.of(
                            regex("/foo/bar/[a-z]{3}", EXACT, new RouteOptions(null, null, null, null, LIMITS, null, null, null, null)),
                            regex("/api(/|$)(.*)", API, rewrite("/v2/$2", "/api")),
                            regex("/old", ROOT, new RouteOptions(null, null,
                                    new RouteOptions.Redirect(308, "https://new.example/x", RouteOptions.Redirect.Kind.URL), null, null, null, null, null, null)),
                            regex("/ext/(.*)", WILD, rewrite("https://other.example/$1", null)),
                            regex("/", ROOT, new RouteOptions(null, null, null, "/app", null, null, null, null, null)))),
                    new VirtualHost("www.re.com", List.of(new Route("/", PathMatch.PREFIX, ROOT.id(), "c/default/ing", true,
                            new RouteOptions(null, null, new RouteOptions.Redirect(308, "re.com", RouteOptions.Redirect.Kind.HOST),
                                    null, null, null, null, null, null))))),
                    null, List.of(EXACT, API, ROOT, WILD), List.of(), List.of())));

    static Stream<Case> annotated() {
        return Stream.of(
                new Case("A regex route matches a beginning of the path, and its limits go with the request", ANNOTATED,
                        "re.com", "/foo/bar/bazz", ((Decision.Forward) to("re.com/foo/bar/[a-z]{3}", EXACT)).withLimits(LIMITS)),
                new Case("A regex route matches without case", ANNOTATED, "re.com", "/FOO/Bar/baz",
                        ((Decision.Forward) to("re.com/foo/bar/[a-z]{3}", EXACT)).withLimits(LIMITS)),
                new Case("A path the first regex does not match falls to the next in order", ANNOTATED, "re.com", "/foo/bar/b1",
                        to("re.com/", ROOT)),
                new Case("A rewrite replaces the path with the target and its groups", ANNOTATED, "re.com", "/api/users/7?q=1",
                        ((Decision.Forward) to("re.com/api(/|$)(.*)", API)).withRewrite(new Decision.Rewrite("/v2/users/7", "/api"))),
                new Case("A group that matched nothing is empty", ANNOTATED, "re.com", "/api",
                        ((Decision.Forward) to("re.com/api(/|$)(.*)", API)).withRewrite(new Decision.Rewrite("/v2/", "/api"))),
                new Case("A route with a redirect answers it instead of forwarding", ANNOTATED, "re.com", "/old/page",
                        new Decision.Redirect("re.com/old", 308, Decision.Redirect.Target.URL, "https://new.example/x")),
                new Case("A rewrite to an absolute URL is a 302 to it, as nginx's rewrite", ANNOTATED, "re.com", "/ext/a/b",
                        new Decision.Redirect("re.com/ext/(.*)", 302, Decision.Redirect.Target.URL, "https://other.example/a/b")),
                new Case("app-root redirects exactly / with 302", ANNOTATED, "re.com", "/",
                        new Decision.Redirect("re.com/", 302, Decision.Redirect.Target.PATH, "/app")),
                new Case("app-root leaves other paths alone", ANNOTATED, "re.com", "/other", to("re.com/", ROOT)),
                new Case("A host redirect goes first, even before the redirect to HTTPS", ANNOTATED, "www.re.com", "/x",
                        new Decision.Redirect("www.re.com/", 308, Decision.Redirect.Target.HOST, "re.com")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annotated")
    void routesWithAnnotationOptions(Case c) {
        String path = ((RequestTarget.Valid) RequestTarget.parse("GET", c.uri())).path();
        assertEquals(c.expected(), c.table().route(c.host(), path));
    }

    @org.junit.jupiter.api.Test
    void aRegexThatWouldBacktrackExponentiallyRunsInLinearTime() {
        // (a+)+$ on "aaaa...!" takes exponential time with a backtracking engine; RE2J answers at once. Not a timed
        // test: it would not finish on java.util.regex within the build's lifetime for this length.
        CompiledTable t = compile(SnapshotCodec.create(6, Instant.EPOCH, List.of(), new RoutingTable(
                List.of(new VirtualHost("re.com", List.of(regex("/(a+)+$", API, null)))), ROOT.id(), List.of(API, ROOT),
                List.of(), List.of())));
        assertEquals(to("(default)", ROOT), t.route("re.com", "/" + "a".repeat(5000) + "!"));
    }

    private static final Endpoint E1 = new Endpoint("10.0.1.1", 80);
    private static final Endpoint E2 = new Endpoint("10.0.1.2", 80);
    private static final Endpoint E3 = new Endpoint("10.0.1.3", 80);
    private static final Backend THREE = new Backend("c/default/three:80", "c", "default", "three", "80",
            List.of(E1, E2, E3), null);
    private static final CompiledTable POOLED = compile(SnapshotCodec.create(4, Instant.EPOCH, List.of(),
            new RoutingTable(List.of(new VirtualHost("three.com", List.of(prefix("/", THREE)))), null, List.of(THREE),
                    List.of(), List.of())));

    private static java.util.List<Endpoint> picks(int n, java.util.function.Predicate<Endpoint> usable) {
        java.util.List<Endpoint> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(((Decision.Forward) POOLED.route("three.com", "/", false, usable)).endpoint());
        }
        return out;
    }

    @org.junit.jupiter.api.Test
    void anEjectedEndpointIsSkippedAndABackendWhoseEndpointsAreAllEjectedUsesThemAll() {
        assertEquals(List.of(false, true, true), List.of(picks(6, e -> !e.equals(E2)).contains(E2),
                picks(6, e -> !e.equals(E2)).containsAll(List.of(E1, E3)), picks(3, e -> false).containsAll(List.of(E1, E2, E3))));
    }

    @org.junit.jupiter.api.Test
    void aRetryGetsAnotherEndpointOfTheBackendUntilNoneIsLeft() {
        String id = THREE.id();
        assertEquals(List.of(E1, E2, E3), POOLED.endpoints(id));
        Decision.Forward other = POOLED.another(id, "three.com/", e -> e.equals(E1));
        assertEquals(List.of(true, "three.com/"), List.of(!other.endpoint().equals(E1), other.route()));
        assertEquals(E3, POOLED.another(id, "three.com/", e -> !e.equals(E3)).endpoint());
        assertEquals(null, POOLED.another(id, "three.com/", e -> true));
        assertEquals(null, POOLED.another("c/default/unknown:80", "x", e -> false));
    }

    // What a route adds to its responses (CORS, response fields; issue 18) travels with every decision its route makes,
    // so the proxy needs no second lookup; routes without them carry null.
    private static final HeaderOptions CORS = new HeaderOptions(new HeaderOptions.Cors(List.of("*"), "GET", "X-A", true,
            null, 60), List.of(new HeaderOptions.Field("X-Frame-Options", "DENY")));

    private static Route withHeaders(Route r) {
        return new Route(r.path(), r.match(), r.backend(), r.source(), r.httpsRedirect(), new RouteOptions(null, null,
                r.options() == null ? null : r.options().redirect(), null, null, null, null, CORS, null));
    }

    private static final CompiledTable HEADERS = compile(SnapshotCodec.create(8, Instant.EPOCH, List.of(),
            new RoutingTable(List.of(new VirtualHost("h.com", List.of(
                    withHeaders(prefix("/down", EMPTY)),
                    withHeaders(new Route("/old", PathMatch.PREFIX, ROOT.id(), "c/default/ing", false, new RouteOptions(null,
                            null, new RouteOptions.Redirect(301, "https://n.com/", RouteOptions.Redirect.Kind.URL), null, null,
                            null, null, null, null))),
                    withHeaders(new Route("/tls", PathMatch.PREFIX, ROOT.id(), "c/default/ing", true)),
                    prefix("/plain", ROOT),
                    withHeaders(prefix("/", API))))), DEFAULT.id(), List.of(API, ROOT, DEFAULT, EMPTY), List.of(),
                    List.of())));

    static Stream<Case> headers() {
        return Stream.of(
                new Case("A forwarded request carries its route's header options", HEADERS, "h.com", "/x",
                        new Decision.Forward("h.com/", API.id(), API.endpoints().get(0), Locality.Tier.LOCAL_CLUSTER, null,
                                null, null, CORS)),
                new Case("A 503 of the route carries them", HEADERS, "h.com", "/down",
                        new Decision.Unavailable("h.com/down", "no ready endpoints for backend c/default/empty:80: "
                                + "service default/empty has no ready endpoints", CORS)),
                new Case("A redirect of the route carries them", HEADERS, "h.com", "/old",
                        new Decision.Redirect("h.com/old", 301, Decision.Redirect.Target.URL, "https://n.com/", CORS)),
                new Case("A redirect to HTTPS of the route carries them", HEADERS, "h.com", "/tls",
                        new Decision.RedirectToHttps("h.com/tls", CORS)),
                new Case("A route without them carries none", HEADERS, "h.com", "/plain", to("h.com/plain", ROOT)),
                new Case("The default backend carries none", HEADERS, "other.com", "/", to("(default)", DEFAULT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headers")
    void decisionsCarryTheirRoutesHeaderOptions(Case c) {
        assertEquals(c.expected(), c.table().route(c.host(), c.uri()));
    }
    private static final Backend ERRORS = backend("errors", 9);
    private static final Backend ERRORS_DOWN = new Backend("c/default/errors-down:80", "c", "default", "errors-down", "80",
            List.of(), "service default/errors-down has no ready endpoints");

    private static Route withErrors(String path, Backend b, ErrorPages pages) {
        return new Route(path, PathMatch.PREFIX, b.id(), "c/default/ing", false,
                new RouteOptions(null, null, null, null, null, null, null, null, pages));
    }

    private static final ErrorPages TO_ERRORS = new ErrorPages(ERRORS.id(), List.of(404), "default", "ing", "x", "80");
    private static final ErrorPages TO_ERRORS_DOWN = new ErrorPages(ERRORS_DOWN.id(), List.of(), "default", "ing", "x", "80");
    private static final CompiledTable ERROR_PAGES = compile(SnapshotCodec.create(9, Instant.EPOCH, List.of(),
            new RoutingTable(List.of(new VirtualHost("err.com", List.of(withErrors("/down-both", EMPTY, TO_ERRORS_DOWN),
                    withErrors("/down", EMPTY, TO_ERRORS), withErrors("/", ROOT, TO_ERRORS)))),
                    null, List.of(ROOT, EMPTY, ERRORS, ERRORS_DOWN), List.of(), List.of())));

    static Stream<Case> errorPageCases() {
        return Stream.of(
                new Case("a route whose backend has endpoints forwards there, carrying its error pages", ERROR_PAGES,
                        "err.com", "/a", new Decision.Forward("err.com/", ROOT.id(), ROOT.endpoints().get(0),
                        Locality.Tier.LOCAL_CLUSTER, null, null, null, null, TO_ERRORS)),
                new Case("a route whose backend has no endpoint goes to its Ingress's default backend (default-backend)",
                        ERROR_PAGES, "err.com", "/down/x", new Decision.Forward("err.com/down", ERRORS.id(),
                        ERRORS.endpoints().get(0), Locality.Tier.LOCAL_CLUSTER, null, null, null, null, TO_ERRORS)),
                new Case("when the default backend has no endpoint either, the route's 503 stands", ERROR_PAGES,
                        "err.com", "/down-both", new Decision.Unavailable("err.com/down-both",
                        "no ready endpoints for backend c/default/empty:80: service default/empty has no ready endpoints")));
    }

    @ParameterizedTest
    @MethodSource("errorPageCases")
    void aRouteWithoutEndpointsGoesToItsDefaultBackend(Case c) {
        assertEquals(c.expected(), c.table().route(c.host(), c.uri()));
    }
}
