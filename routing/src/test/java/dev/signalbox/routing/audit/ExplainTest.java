package dev.signalbox.routing.audit;

import static dev.signalbox.routing.audit.Tables.API;
import static dev.signalbox.routing.audit.Tables.DOWN;
import static dev.signalbox.routing.audit.Tables.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.routing.Locality;
import dev.signalbox.routing.audit.Explanation.BackendRef;
import dev.signalbox.routing.audit.Explanation.LocalityRef;
import dev.signalbox.routing.audit.Explanation.IngressRef;
import dev.signalbox.routing.audit.Explanation.RouteRef;
import dev.signalbox.routing.audit.Explanation.TlsRef;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExplainTest {
    private static final RoutingSnapshot SHOP = Tables.shop(4);
    private static final RoutingSnapshot WITH_DEFAULT = Tables.snapshot(5, SHOP.table().virtualHosts(),
            SHOP.table().backends(), SHOP.table().tls(), WEB.id(), List.of());
    private static final List<ForeignIngress> FOREIGN = List.of(
            new ForeignIngress("c", "other", "nginx-ing", "nginx", List.of("legacy.test")));

    record Case(String name, RoutingSnapshot snapshot, String host, String target, boolean overTls, Explanation expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static BackendRef ref(Backend b) {
        return new BackendRef(b.id(), b.cluster(), b.namespace(), b.service(), b.servicePort(), b.endpoints(),
                b.unavailableReason());
    }

    private static RouteRef route(String path, String type, String ingress) {
        return new RouteRef(path, type, false, new IngressRef("c", "shop", ingress));
    }

    /** The shop's proxy: in the shop's cluster, zone z1. */
    private static final Locality PROXY = new Locality("c", "z1", Locality.Policy.PREFER_LOCAL);

    private static Explanation hit(long v, String vh, String match, RouteRef r, Backend b, TlsRef tls, int status,
                                   String reason) {
        return new Explanation(v, status == 200 || status == 308, vh, match, r, ref(b), tls, status, reason, List.of(),
                List.of(), status == 200 ? served(List.of("local-cluster"), b.endpoints()) : null);
    }

    private static LocalityRef served(List<String> tiers, List<Endpoint> endpoints) {
        return new LocalityRef("c", "z1", "prefer-local", tiers, endpoints);
    }

    private static Explanation miss(long v, String vh, int status, String reason, List<String> candidates) {
        return new Explanation(v, false, vh, null, null, null, null, status, reason, candidates, List.of(), null);
    }

    /** web's route with api as its canary: header X-Canary, cookie canary, 10 of 100 requests. */
    private static final RoutingSnapshot CANARY = Tables.snapshot(6, List.of(new VirtualHost("canary.example.com",
            List.of(new Route("/", PathMatch.PREFIX, WEB.id(), "c/shop/ing-web", false, new RouteOptions(null, null,
                    null, null, null, new Traffic(new Traffic.Canary(API.id(), "c/shop/ing-next", "X-Canary", null,
                    null, "canary", 10, 100, null), null, null), null, null, null))))), List.of(WEB, API), List.of(), null, List.of());

    /** The shop's down route with web as its Ingress's default backend (default-backend). */
    private static final RoutingSnapshot FALLBACK = Tables.snapshot(7, List.of(new VirtualHost("fallback.example.com",
            List.of(new Route("/", PathMatch.PREFIX, DOWN.id(), "c/shop/ing-down", false, new RouteOptions(null, null,
                    null, null, null, null, null, null, new ErrorPages(WEB.id(), List.of(), "shop", "ing-down", "down",
                    "80")))))), List.of(WEB, DOWN), List.of(), null, List.of());

    static Stream<Case> cases() {
        TlsRef secureTls = new TlsRef("secure.example.com", "c/shop/secure-tls");
        return Stream.of(
                new Case("An exact path on an exact host is served by its backend", SHOP, "shop.example.com", "/checkout",
                        false, hit(4, "shop.example.com", "exact", route("/checkout", "EXACT", "ing-api"), API, null, 200,
                        "route shop.example.com/checkout (EXACT) of Ingress c/shop/ing-api sends to c/shop/api:80 (1 ready endpoints)")),
                new Case("The path is normalised as the proxy does before matching", SHOP, "SHOP.example.com:8080",
                        "/static/../checkout?x=1", false, hit(4, "shop.example.com", "exact",
                        route("/checkout", "EXACT", "ing-api"), API, null, 200,
                        "route shop.example.com/checkout (EXACT) of Ingress c/shop/ing-api sends to c/shop/api:80 (1 ready endpoints)")),
                new Case("A host without its own virtual host falls to the one-label wildcard", SHOP, "blog.example.org",
                        "/x", false, hit(4, "*.example.org", "wildcard", route("/", "PREFIX", "ing-web"), WEB, null, 200,
                        "route *.example.org/ (PREFIX) of Ingress c/shop/ing-web sends to c/shop/web:80 (2 ready endpoints)")),
                new Case("A route whose backend has no ready endpoint answers 503 and is a miss", SHOP, "shop.example.com",
                        "/down/x", false, new Explanation(4, false, "shop.example.com", "exact",
                        route("/down", "PREFIX", "ing-down"), ref(DOWN), null, 503,
                        "no ready endpoints for backend c/shop/down:80: service shop/down has no ready endpoints",
                        List.of(), List.of(), null)),
                new Case("A known host with no matching path is a 404 that lists its paths", SHOP, "shop.example.com",
                        "/cart", false, miss(4, "shop.example.com", 404,
                        "host shop.example.com is known (virtual host shop.example.com) but no path matches /cart",
                        List.of("/checkout (EXACT)", "/down (PREFIX)", "/static (PREFIX)"))),
                new Case("An exact path does not match a longer one", SHOP, "shop.example.com", "/checkout/x", false,
                        miss(4, "shop.example.com", 404,
                        "host shop.example.com is known (virtual host shop.example.com) but no path matches /checkout/x",
                        List.of("/checkout (EXACT)", "/down (PREFIX)", "/static (PREFIX)"))),
                new Case("An unknown host is a 404 saying so", SHOP, "nowhere.test", "/", false,
                        miss(4, null, 404, "no virtual host for nowhere.test and no default backend", List.of())),
                new Case("A host only another controller's Ingress names is a 404 naming that Ingress and its class", SHOP,
                        "legacy.test", "/", false, miss(4, null, 404,
                        "no route for host legacy.test: Ingress c/other/nginx-ing names it but is not ours (class nginx)",
                        List.of())),
                new Case("A plain-HTTP request to an HTTPS-only route is redirected with 308", SHOP, "secure.example.com",
                        "/login", false, hit(4, "secure.example.com", "exact",
                        new RouteRef("/", "PREFIX", true, new IngressRef("c", "shop", "ing-secure")), WEB, secureTls, 308,
                        "the route is served over HTTPS only: plain HTTP gets 308 to https://secure.example.com/login")),
                new Case("The same request over HTTPS is served, with the host's certificate", SHOP, "secure.example.com",
                        "/login", true, hit(4, "secure.example.com", "exact",
                        new RouteRef("/", "PREFIX", true, new IngressRef("c", "shop", "ing-secure")), WEB, secureTls, 200,
                        "route secure.example.com/ (PREFIX) of Ingress c/shop/ing-secure sends to c/shop/web:80 (2 ready endpoints)")),
                new Case("With a default backend an unmatched request is served by it", WITH_DEFAULT, "nowhere.test", "/",
                        false, new Explanation(5, true, null, null, null, ref(WEB), null, 200,
                        "no rule matches; the default backend c/shop/web:80 answers", List.of(), List.of(),
                        served(List.of("local-cluster"), WEB.endpoints()))),
                new Case("A route with a canary names it and its rules; a request without header or cookie is the "
                                + "main backend's", CANARY, "canary.example.com", "/", false,
                        hit(6, "canary.example.com", "exact", route("/", "PREFIX", "ing-web"), WEB, null, 200,
                                "route canary.example.com/ (PREFIX) of Ingress c/shop/ing-web sends to c/shop/web:80 "
                                        + "(2 ready endpoints); its canary, Ingress c/shop/ing-next, sends to c/shop/api:80 "
                                        + "requests with header X-Canary: always, cookie canary=always, 10 of 100 other "
                                        + "requests")),
                new Case("A route whose backend has no ready endpoint is served by its Ingress's default backend",
                        FALLBACK, "fallback.example.com", "/x", false, new Explanation(7, true, "fallback.example.com",
                        "exact", route("/", "PREFIX", "ing-down"), ref(DOWN), null, 200,
                        "route fallback.example.com/ (PREFIX) of Ingress c/shop/ing-down sends to c/shop/down:80 (0 ready "
                                + "endpoints); it has no ready endpoint, so its Ingress's default backend c/shop/web:80 "
                                + "answers", List.of(), List.of(), served(List.of("local-cluster"), WEB.endpoints()))),
                new Case("A target the proxy refuses is a 400", SHOP, "shop.example.com", "/a%zz", false,
                        miss(4, null, 400, "the proxy refuses the request target with 400: request path has invalid "
                                + "percent-encoding or an encoded NUL: /a%zz", List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void explains(Case c) {
        assertEquals(c.expected(), Explain.explain(c.snapshot(), PROXY, c.host(), c.target(), "GET", c.overTls(), FOREIGN));
    }

    /** web's endpoints: E1 in the proxy's zone, E2 in another zone of its cluster, E3 in another cluster. */
    private static final Endpoint E1 = new Endpoint("10.0.0.1", 8080, null, "z1");
    private static final Endpoint E2 = new Endpoint("10.0.0.2", 8080, null, "z2");
    private static final Endpoint E3 = new Endpoint("10.1.0.3", 8080, "other", "z1");
    private static final RoutingSnapshot ZONED = Tables.snapshot(6, List.of(new VirtualHost("www.test",
            List.of(Tables.prefix("/", Tables.backend("web", List.of(E1, E2, E3)))))),
            List.of(Tables.backend("web", List.of(E1, E2, E3))), List.of(), null, List.of());

    record LocalityCase(String name, Locality proxy, LocalityRef expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<LocalityCase> localityCases() {
        return Stream.of(
                new LocalityCase("A proxy in the endpoint's zone is served by it", PROXY, served(List.of("local-zone"), List.of(E1))),
                new LocalityCase("A proxy in another zone of the cluster is served by the cluster's endpoints",
                        new Locality("c", "z9", Locality.Policy.PREFER_LOCAL),
                        new LocalityRef("c", "z9", "prefer-local", List.of("local-cluster"), List.of(E1, E2))),
                new LocalityCase("A proxy of the other cluster is served by its own cluster's endpoint",
                        new Locality("other", "z1", Locality.Policy.PREFER_LOCAL),
                        new LocalityRef("other", "z1", "prefer-local", List.of("local-zone"), List.of(E3))),
                new LocalityCase("A proxy of a third cluster is served by every cluster's endpoints, remote",
                        new Locality("third", null, Locality.Policy.PREFER_LOCAL),
                        new LocalityRef("third", null, "prefer-local", List.of("remote"), List.of(E1, E2, E3))),
                new LocalityCase("Balance-all is served by every endpoint, with every tier among them",
                        new Locality("c", "z1", Locality.Policy.BALANCE_ALL),
                        new LocalityRef("c", "z1", "balance-all", List.of("local-zone", "local-cluster", "remote"),
                                List.of(E1, E2, E3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("localityCases")
    void saysWhichLocalityServes(LocalityCase c) {
        assertEquals(c.expected(), Explain.explain(ZONED, c.proxy(), "www.test", "/", "GET", false, List.of()).locality());
    }
}
