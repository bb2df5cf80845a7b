package dev.signalbox.routing.audit;

import static dev.signalbox.routing.audit.Tables.API;
import static dev.signalbox.routing.audit.Tables.DOWN;
import static dev.signalbox.routing.audit.Tables.E1;
import static dev.signalbox.routing.audit.Tables.E2;
import static dev.signalbox.routing.audit.Tables.SHOP_TLS;
import static dev.signalbox.routing.audit.Tables.WARN;
import static dev.signalbox.routing.audit.Tables.WEB;
import static dev.signalbox.routing.audit.Tables.exact;
import static dev.signalbox.routing.audit.Tables.prefix;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TableDiffTest {
    private static final RoutingSnapshot BASE = Tables.snapshot(1,
            List.of(new VirtualHost("shop.example.com", List.of(exact("/checkout", API), prefix("/", WEB)))),
            List.of(WEB, API), List.of(), null, List.of());

    /**
     * @param expected the diff in a compact form: one line per element, "+kind key", "-kind key" or "~kind key",
     *                 in kind order
     */
    record Case(String name, RoutingSnapshot from, RoutingSnapshot to, String host, List<String> expected,
                boolean touchesHost) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Backend webScaled = Tables.backend("web", List.of(E2));
        return Stream.of(
                new Case("The first version adds everything", null, BASE, "shop.example.com", List.of(
                        "+routes shop.example.com /", "+routes shop.example.com /checkout",
                        "+backends c/shop/api:80", "+backends c/shop/web:80",
                        "+endpoints c/shop/api:80 10.0.0.1", "+endpoints c/shop/web:80 10.0.0.1",
                        "+endpoints c/shop/web:80 10.0.0.2"), true),
                new Case("The same table twice has no difference", BASE, Tables.snapshot(2, BASE.table().virtualHosts(),
                        BASE.table().backends(), List.of(), null, List.of()), "shop.example.com", List.of(), false),
                new Case("A path changed is one route removed and one added", BASE, Tables.snapshot(2, List.of(
                        new VirtualHost("shop.example.com", List.of(exact("/pay", API), prefix("/", WEB)))),
                        List.of(WEB, API), List.of(), null, List.of()), "shop.example.com",
                        List.of("+routes shop.example.com /pay", "-routes shop.example.com /checkout"), true),
                new Case("A route sent elsewhere is changed in place", BASE, Tables.snapshot(2, List.of(
                        new VirtualHost("shop.example.com", List.of(exact("/checkout", WEB), prefix("/", WEB)))),
                        List.of(WEB, API), List.of(), null, List.of()), "shop.example.com",
                        List.of("~routes shop.example.com /checkout"), true),
                new Case("Scaling a backend adds and removes endpoints only", BASE, Tables.snapshot(2,
                        BASE.table().virtualHosts(), List.of(webScaled, API), List.of(), null, List.of()),
                        "shop.example.com", List.of("-endpoints c/shop/web:80 10.0.0.1"), true),
                new Case("Endpoints of a backend another host uses do not touch this host", BASE, Tables.snapshot(2,
                        BASE.table().virtualHosts(), List.of(WEB, API, DOWN), List.of(), null, List.of()),
                        "shop.example.com", List.of("+backends c/shop/down:80"), false),
                new Case("Endpoints of the canary of a route of this host touch this host", Tables.snapshot(1, List.of(
                        new VirtualHost("shop.example.com", List.of(canaryOf(prefix("/", WEB), DOWN)))),
                        List.of(WEB, DOWN), List.of(), null, List.of()), Tables.snapshot(2, List.of(
                        new VirtualHost("shop.example.com", List.of(canaryOf(prefix("/", WEB), DOWN)))),
                        List.of(WEB, Tables.backend("down", List.of(E1))), List.of(), null, List.of()),
                        "shop.example.com", List.of("~backends c/shop/down:80", "+endpoints c/shop/down:80 10.0.0.1"), true),
                new Case("A certificate rotated is a TLS binding changed", Tables.snapshot(1, BASE.table().virtualHosts(),
                        BASE.table().backends(), List.of(SHOP_TLS), null, List.of()), Tables.snapshot(2,
                        BASE.table().virtualHosts(), BASE.table().backends(), List.of(new TlsBinding(SHOP_TLS.host(),
                        SHOP_TLS.secret(), "NEW CERT", SHOP_TLS.privateKey())), null, List.of()), "secure.example.com",
                        List.of("~tls secure.example.com"), true),
                new Case("A diagnostic and a default backend appear", BASE, Tables.snapshot(2, BASE.table().virtualHosts(),
                        BASE.table().backends(), List.of(), WEB.id(), List.of(WARN)), "shop.example.com",
                        List.of("+diagnostics bad", "+defaultBackend c/shop/web:80"), false));
    }

    /** {@code r} with a canary sending to {@code canary} (issue 18). */
    private static Route canaryOf(Route r, Backend canary) {
        return new Route(r.path(), r.match(), r.backend(), r.source(), false, new RouteOptions(null, null, null, null,
                null, new Traffic(new Traffic.Canary(canary.id(), "c/shop/canary", null, null, null, null, 10, 100,
                null), null, null), null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void diffs(Case c) {
        TableDiff d = TableDiff.of(c.from(), c.to());
        assertEquals(c.expected(), compact(d));
        assertEquals(c.touchesHost(), TableDiff.touchesHost(d, c.from(), c.to(), c.host()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theQuickCheckForARouteNeverMissesAChangeTheDiffSeesAndPassesOverAnUnchangedTable(Case c) {
        TableDiff d = TableDiff.of(c.from(), c.to());
        for (RoutingSnapshot s : java.util.stream.Stream.of(c.from(), c.to()).filter(java.util.Objects::nonNull).toList()) {
            for (var vh : s.table().virtualHosts()) {
                for (var r : vh.routes()) {
                    boolean may = TableDiff.mayTouchRoute(c.from(), c.to(), vh.host(), r.path(), r.backend());
                    String what = vh.host() + r.path() + " -> " + r.backend();
                    org.junit.jupiter.api.Assertions.assertTrue(may || !d.touchesRoute(vh.host(), r.path(), r.backend()), what);
                    if (c.from() != null && c.expected().isEmpty()) {
                        org.junit.jupiter.api.Assertions.assertFalse(may, "nothing changed: " + what);
                    }
                }
            }
        }
    }

    private static List<String> compact(TableDiff d) {
        List<String> out = new java.util.ArrayList<>();
        for (String kind : TableDiff.KINDS) {
            d.added().get(kind).forEach(n -> out.add("+" + kind + " " + key(kind, n)));
            d.removed().get(kind).forEach(n -> out.add("-" + kind + " " + key(kind, n)));
            d.changed().get(kind).forEach(ch -> out.add("~" + kind + " " + key(kind, ch.after())));
        }
        return out;
    }

    private static String key(String kind, com.fasterxml.jackson.databind.JsonNode n) {
        return switch (kind) {
            case "routes" -> n.path("host").asText() + " " + n.path("path").asText();
            case "endpoints" -> n.path("backend").asText() + " " + n.path("address").asText();
            case "tls" -> n.path("host").asText();
            case "diagnostics" -> n.path("name").asText();
            default -> n.path("id").asText();
        };
    }
}
