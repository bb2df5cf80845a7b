package dev.signalbox.routing.audit;

import static dev.signalbox.routing.audit.Tables.API;
import static dev.signalbox.routing.audit.Tables.DOWN;
import static dev.signalbox.routing.audit.Tables.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.routing.audit.Explanation.BackendRef;
import dev.signalbox.routing.audit.Explanation.IngressRef;
import dev.signalbox.routing.audit.Explanation.RouteRef;
import dev.signalbox.routing.audit.Explanation.TlsRef;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
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

    private static Explanation hit(long v, String vh, String match, RouteRef r, Backend b, TlsRef tls, int status,
                                   String reason) {
        return new Explanation(v, status == 200 || status == 308, vh, match, r, ref(b), tls, status, reason, List.of(),
                List.of());
    }

    private static Explanation miss(long v, String vh, int status, String reason, List<String> candidates) {
        return new Explanation(v, false, vh, null, null, null, null, status, reason, candidates, List.of());
    }

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
                        List.of(), List.of())),
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
                        "no rule matches; the default backend c/shop/web:80 answers", List.of(), List.of())),
                new Case("A target the proxy refuses is a 400", SHOP, "shop.example.com", "/a%zz", false,
                        miss(4, null, 400, "the proxy refuses the request target with 400: request path has invalid "
                                + "percent-encoding or an encoded NUL: /a%zz", List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void explains(Case c) {
        assertEquals(c.expected(), Explain.explain(c.snapshot(), c.host(), c.target(), "GET", c.overTls(), FOREIGN));
    }
}
