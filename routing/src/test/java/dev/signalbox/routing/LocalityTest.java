package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which endpoint the matcher chooses by where it runs ({@link Locality}): a proxy of cluster c in zone z1,
 * endpoints of backend web (cluster c unless said) in its zone, its cluster and other clusters. A pick is
 * written "address tier".
 */
class LocalityTest {
    private static final Locality PROXY = new Locality("c", "z1", Locality.Policy.PREFER_LOCAL);
    /** Cluster c, zone z1: the proxy's zone. */
    private static final Endpoint ZONE_A = new Endpoint("10.0.0.1", 80, null, "z1");
    private static final Endpoint ZONE_B = new Endpoint("10.0.0.2", 80, null, "z1");
    /** Cluster c, zone z2; and cluster c with no zone in its EndpointSlice. */
    private static final Endpoint CLUSTER_A = new Endpoint("10.0.1.1", 80, null, "z2");
    private static final Endpoint CLUSTER_NO_ZONE = new Endpoint("10.0.1.2", 80, null, null);
    /** Other clusters, one of them in a zone named like the proxy's (zones are per cluster). */
    private static final Endpoint REMOTE_A = new Endpoint("10.9.0.1", 80, "other", "z1");
    private static final Endpoint REMOTE_B = new Endpoint("10.8.0.1", 80, "third", null);
    /** Cluster c said outright rather than implied by the backend's cluster. */
    private static final Endpoint ZONE_NAMED = new Endpoint("10.0.0.3", 80, "c", "z1");

    record Case(String name, Locality proxy, String backendCluster, List<Endpoint> endpoints, Set<Endpoint> ejected,
                List<String> picks) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case prefer(String name, List<Endpoint> endpoints, Set<Endpoint> ejected, String... picks) {
        return new Case(name, PROXY, "c", endpoints, ejected, List.of(picks));
    }

    static Stream<Case> cases() {
        List<Endpoint> everywhere = List.of(ZONE_A, ZONE_B, CLUSTER_A, CLUSTER_NO_ZONE, REMOTE_A, REMOTE_B);
        return Stream.of(
                prefer("The endpoints in the proxy's zone get every request, round-robin", everywhere, Set.of(),
                        "10.0.0.1 local-zone", "10.0.0.2 local-zone", "10.0.0.1 local-zone", "10.0.0.2 local-zone"),
                prefer("Without an endpoint in its zone the proxy's cluster serves, a slice without zone included",
                        List.of(CLUSTER_A, CLUSTER_NO_ZONE, REMOTE_A), Set.of(),
                        "10.0.1.1 local-cluster", "10.0.1.2 local-cluster", "10.0.1.1 local-cluster"),
                prefer("Another cluster serves only when the proxy's cluster has no endpoint",
                        List.of(REMOTE_A, REMOTE_B), Set.of(), "10.9.0.1 remote", "10.8.0.1 remote", "10.9.0.1 remote"),
                prefer("An ejected endpoint in the zone leaves the rest of the zone serving", everywhere, Set.of(ZONE_A),
                        "10.0.0.2 local-zone", "10.0.0.2 local-zone"),
                prefer("With the whole zone ejected the cluster serves", everywhere, Set.of(ZONE_A, ZONE_B),
                        "10.0.1.1 local-cluster", "10.0.1.2 local-cluster", "10.0.1.1 local-cluster"),
                prefer("With the whole cluster ejected the other clusters serve", everywhere,
                        Set.of(ZONE_A, ZONE_B, CLUSTER_A, CLUSTER_NO_ZONE), "10.9.0.1 remote", "10.8.0.1 remote"),
                prefer("With every endpoint ejected the zone serves anyway (panic routing)", everywhere,
                        Set.copyOf(everywhere), "10.0.0.2 local-zone", "10.0.0.1 local-zone", "10.0.0.2 local-zone"),
                new Case("Balance-all spreads over every endpoint, each with its tier",
                        new Locality("c", "z1", Locality.Policy.BALANCE_ALL), "c", List.of(ZONE_A, CLUSTER_A, REMOTE_A),
                        Set.of(), List.of("10.0.0.1 local-zone", "10.0.1.1 local-cluster", "10.9.0.1 remote",
                        "10.0.0.1 local-zone")),
                new Case("A proxy that knows no zone prefers its cluster, every zone alike",
                        new Locality("c", null, Locality.Policy.PREFER_LOCAL), "c", List.of(ZONE_A, CLUSTER_A, REMOTE_A),
                        Set.of(), List.of("10.0.0.1 local-cluster", "10.0.1.1 local-cluster", "10.0.0.1 local-cluster")),
                new Case("An empty zone is no zone (the downward API's value for a missing label)",
                        new Locality("c", "", Locality.Policy.PREFER_LOCAL), "c", List.of(CLUSTER_NO_ZONE, REMOTE_A),
                        Set.of(), List.of("10.0.1.2 local-cluster", "10.0.1.2 local-cluster")),
                prefer("An endpoint without a cluster is in its backend's cluster, like one that names it",
                        List.of(ZONE_NAMED, ZONE_A), Set.of(), "10.0.0.3 local-zone", "10.0.0.1 local-zone"),
                new Case("Another cluster's backend: its own endpoints are remote, one from the proxy's cluster is local",
                        PROXY, "other", List.of(new Endpoint("10.9.0.2", 80, null, "z1"), ZONE_NAMED), Set.of(),
                        List.of("10.0.0.3 local-zone", "10.0.0.3 local-zone")),
                new Case("The proxy of another cluster prefers that cluster's endpoint",
                        new Locality("other", "z1", Locality.Policy.PREFER_LOCAL), "c", everywhere, Set.of(),
                        List.of("10.9.0.1 local-zone", "10.9.0.1 local-zone")));
    }

    private static CompiledTable table(Locality proxy, String backendCluster, List<Endpoint> endpoints) {
        Backend web = new Backend(Backend.idOf(backendCluster, "default", "web", "80"), backendCluster, "default", "web",
                "80", endpoints, null);
        RoutingTable t = new RoutingTable(List.of(new VirtualHost("web.test",
                List.of(new Route("/", PathMatch.PREFIX, web.id(), "c/default/web")))), null, List.of(web), List.of(), List.of());
        return CompiledTable.compile(SnapshotCodec.create(1, Instant.EPOCH, List.of(), t), proxy);
    }

    private static String written(Decision d) {
        Decision.Forward f = (Decision.Forward) d;
        return f.endpoint().address() + " " + f.locality().label();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void choosesTheNearestUsableEndpoint(Case c) {
        CompiledTable table = table(c.proxy(), c.backendCluster(), c.endpoints());
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < c.picks().size(); i++) {
            picks.add(written(table.route("web.test", "/", false, e -> !c.ejected().contains(e))));
        }
        assertEquals(c.picks(), picks);
    }

    @Test
    void aRetryStaysInTheNearestTierThatHasAnEndpointLeftThenFailsOver() {
        CompiledTable table = table(PROXY, "c", List.of(ZONE_A, ZONE_B, CLUSTER_A, REMOTE_A));
        String id = Backend.idOf("c", "default", "web", "80");
        List<String> retries = new ArrayList<>();
        for (Set<Endpoint> failed : List.of(Set.of(ZONE_A), Set.of(ZONE_A, ZONE_B), Set.of(ZONE_A, ZONE_B, CLUSTER_A))) {
            retries.add(written(table.another(id, "web.test/", failed::contains)));
        }
        assertEquals(List.of("10.0.0.2 local-zone", "10.0.1.1 local-cluster", "10.9.0.1 remote"), retries);
        assertEquals(null, table.another(id, "web.test/", e -> true));
    }

    @Test
    void servingNamesTheNearestTierOrEveryTierUnderBalanceAll() {
        List<Endpoint> eps = List.of(ZONE_A, CLUSTER_A, REMOTE_A);
        String id = Backend.idOf("c", "default", "web", "80");
        assertEquals(new CompiledTable.Serving(List.of(Locality.Tier.LOCAL_ZONE), List.of(ZONE_A)),
                table(PROXY, "c", eps).serving(id));
        assertEquals(new CompiledTable.Serving(List.of(Locality.Tier.LOCAL_ZONE, Locality.Tier.LOCAL_CLUSTER,
                        Locality.Tier.REMOTE), eps),
                table(new Locality("c", "z1", Locality.Policy.BALANCE_ALL), "c", eps).serving(id));
        assertEquals(new CompiledTable.Serving(List.of(), List.of()), table(PROXY, "c", List.of()).serving(id));
        // Listed nearest first whatever the endpoints' order.
        assertEquals(List.of(Locality.Tier.LOCAL_ZONE, Locality.Tier.REMOTE),
                table(new Locality("c", "z1", Locality.Policy.BALANCE_ALL), "c", List.of(REMOTE_A, ZONE_A)).serving(id).tiers());
    }

    @Test
    void policiesAreSpelledAsOnTheCommandLine() {
        assertEquals(List.of(Locality.Policy.PREFER_LOCAL, Locality.Policy.BALANCE_ALL),
                List.of(Locality.Policy.parse("prefer-local"), Locality.Policy.parse("balance-all")));
        assertEquals("unknown locality policy \"nearest\": prefer-local or balance-all",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Locality.Policy.parse("nearest")).getMessage());
    }
}
