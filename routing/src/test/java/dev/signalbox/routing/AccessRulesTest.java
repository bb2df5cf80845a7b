package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AccessRulesTest {
    record Case(String name, List<String> allow, List<String> deny, String client, boolean allowed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("No ranges let everyone through", List.of(), List.of(), "203.0.113.9", true),
                new Case("A client in an allowed range passes", List.of("10.0.0.0/8"), List.of(), "10.1.2.3", true),
                new Case("A client outside the allowed ranges is refused", List.of("10.0.0.0/8"), List.of(), "192.0.2.1", false),
                new Case("An IPv6 client in an allowed range passes", List.of("2001:db8::/32"), List.of(), "2001:db8::7", true),
                new Case("An IPv4 client is outside IPv6 ranges", List.of("::/0"), List.of(), "192.0.2.1", false),
                new Case("A denied client is refused", List.of(), List.of("192.0.2.0/24"), "192.0.2.1", false),
                new Case("A client outside the denied ranges passes", List.of(), List.of("192.0.2.0/24"), "192.0.3.1", true),
                new Case("Deny wins over allow, as nginx's deny lines come first", List.of("10.0.0.0/8"),
                        List.of("10.9.0.0/16"), "10.9.1.1", false),
                new Case("Allowed and not denied passes", List.of("10.0.0.0/8"), List.of("10.9.0.0/16"), "10.8.1.1", true),
                new Case("A client address that is not an IP literal is refused", List.of("0.0.0.0/0"), List.of(),
                        "unknown", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checksSourceRanges(Case c) {
        assertEquals(c.allowed(), AccessRules.of(new RouteAccess(c.allow(), c.deny(), null, null, null)).sourceAllowed(c.client()));
    }

    @Test
    void rangesThatDoNotParseDenyTheRoute() {
        assertEquals("source ranges that do not parse: \"ten\" is not an IP address or CIDR block",
                AccessRules.of(new RouteAccess(List.of("ten"), List.of(), null, null, null)).denied());
    }

    private static final Backend B = new Backend("c/default/b:80", "c", "default", "b", "80",
            List.of(new Endpoint("10.0.0.1", 80)), null);
    private static final RouteAccess OFFICE = new RouteAccess(List.of("10.0.0.0/8"), List.of(), null, null, null);

    @Test
    void aRestrictedRouteIsCheckedBeforeForwardingButRedirectsGoFirst() {
        CompiledTable t = CompiledTable.compile(SnapshotCodec.create(1, Instant.EPOCH, List.of(), new RoutingTable(List.of(
                new VirtualHost("a.com", List.of(
                        new Route("/old", PathMatch.PREFIX, B.id(), "c/default/ing", false, new RouteOptions(null, null,
                                new RouteOptions.Redirect(301, "https://b.com/", RouteOptions.Redirect.Kind.URL), null, null, null, OFFICE, null, null)),
                        new Route("/", PathMatch.PREFIX, B.id(), "c/default/ing", false,
                                new RouteOptions(null, null, null, null, null, null, OFFICE, null, null))))),
                null, List.of(B), List.of(), List.of())), new Locality("c", null, Locality.Policy.PREFER_LOCAL));
        assertEquals(List.of(
                        new Decision.Restricted("a.com/", AccessRules.of(OFFICE),
                                new Decision.Forward("a.com/", B.id(), B.endpoints().get(0), Locality.Tier.LOCAL_CLUSTER)),
                        new Decision.Redirect("a.com/old", 301, Decision.Redirect.Target.URL, "https://b.com/")),
                List.of(t.route("a.com", "/x"), t.route("a.com", "/old")));
    }
}
