package dev.signalbox.schemas.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.TableDelta.Others;
import dev.signalbox.schemas.snapshot.TableDelta.Upsert;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TableDeltaTest {
    private static Backend backend(String name, String... addresses) {
        return new Backend("c/ns/" + name + ":80", "c", "ns", name, "80",
                Stream.of(addresses).map(a -> new Endpoint(a, 8080)).toList(),
                addresses.length == 0 ? "no ready endpoints for service ns/" + name + " port 80" : null);
    }

    private static VirtualHost host(String host, Backend b) {
        return new VirtualHost(host, List.of(new Route("/", PathMatch.PREFIX, b.id(), "c/ns/" + host)));
    }

    private static final Backend A = backend("a", "10.0.0.1");
    private static final Backend A2 = backend("a", "10.0.0.1", "10.0.0.2");
    private static final Backend B = backend("b", "10.0.1.1");
    private static final Backend C = backend("c");

    private static RoutingTable table(List<VirtualHost> hosts, String defaultBackend, List<Backend> backends,
                                      List<String> ingresses) {
        return new RoutingTable(hosts, defaultBackend, backends, List.of(), ingresses, List.of());
    }

    private static final RoutingTable BASE = table(List.of(host("a.test", A), host("b.test", B)), null, List.of(A, B),
            List.of("c/ns/a.test", "c/ns/b.test"));

    private static TableDelta delta(List<Upsert<VirtualHost>> hosts, List<String> removedHosts,
                                    List<Upsert<Backend>> backends, List<String> removedBackends,
                                    List<Upsert<String>> ingresses, List<String> removedIngresses, Others others) {
        return new TableDelta(hosts, removedHosts, backends, removedBackends, List.of(), List.of(), ingresses,
                removedIngresses, others);
    }

    record Case(String name, RoutingTable from, RoutingTable to, TableDelta expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("The same table is no change", BASE, BASE,
                        delta(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null)),
                new Case("An endpoint added to a backend is that backend alone, whole",
                        BASE, table(BASE.virtualHosts(), null, List.of(A2, B), BASE.ingresses()),
                        delta(List.of(), List.of(), List.of(new Upsert<>(null, A2)), List.of(), List.of(), List.of(), null)),
                new Case("A host and its backend added in the middle follow the entries before them",
                        BASE, table(List.of(host("a.test", A), host("ab.test", C), host("b.test", B)), null,
                                List.of(A, B, C), List.of("c/ns/a.test", "c/ns/ab.test", "c/ns/b.test")),
                        delta(List.of(new Upsert<>("a.test", host("ab.test", C))), List.of(),
                                List.of(new Upsert<>(B.id(), C)), List.of(),
                                List.of(new Upsert<>("c/ns/a.test", "c/ns/ab.test")), List.of(), null)),
                new Case("A host removed with its backend is their keys",
                        BASE, table(List.of(host("b.test", B)), null, List.of(B), List.of("c/ns/b.test")),
                        delta(List.of(), List.of("a.test"), List.of(), List.of(A.id()), List.of(),
                                List.of("c/ns/a.test"), null)),
                new Case("A default backend set sends the table's single fields whole",
                        BASE, table(BASE.virtualHosts(), B.id(), BASE.backends(), BASE.ingresses()),
                        delta(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), new Others(B.id(), List.of()))),
                new Case("A route changed in place replaces its host whole",
                        BASE, table(List.of(host("a.test", B), host("b.test", B)), null, List.of(A, B), BASE.ingresses()),
                        delta(List.of(new Upsert<>(null, host("a.test", B))), List.of(), List.of(), List.of(), List.of(),
                                List.of(), null)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theDeltaIsTheChangedEntriesAndRebuildsTheNewTable(Case c) {
        TableDelta d = TableDelta.between(c.from(), c.to());
        assertEquals(c.expected(), d);
        assertEquals(c.to(), d.applyTo(c.from()));
    }

    @Test
    void aDeltaAppliedToATableItWasNotMadeForIsRefusedWhenTheResultIsInconsistent() {
        RoutingTable withoutA = table(List.of(host("b.test", B)), null, List.of(B), List.of("c/ns/b.test"));
        // Adds a host that routes to A, which only BASE has.
        TableDelta addHost = TableDelta.between(withoutA,
                table(List.of(host("a.test", A), host("b.test", B)), null, List.of(B, A), List.of("c/ns/b.test")));
        RoutingTable onlyB = table(List.of(host("b.test", B)), null, List.of(B), List.of("c/ns/b.test"));
        TableDelta hostsOnly = new TableDelta(addHost.virtualHosts(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), null);
        assertThrows(IllegalArgumentException.class, () -> hostsOnly.applyTo(onlyB));
    }

    /**
     * Random tables (hosts, backends, TLS bindings, Ingresses, the default backend and diagnostics drawn from small
     * pools, each list sorted by its key as the compiler sorts it) in random sequences: the delta between any two
     * consecutive ones rebuilds the second exactly, to the content hash.
     */
    @Test
    void randomSequencesOfTablesAreRebuiltExactlyFromTheirDeltas() {
        Random random = new Random(15);
        RoutingTable previous = RoutingTable.EMPTY;
        for (int step = 0; step < 400; step++) {
            RoutingTable next = dev.signalbox.schemas.Samples.randomTable(random);
            TableDelta d = TableDelta.between(previous, next);
            RoutingTable rebuilt = d.applyTo(previous);
            assertEquals(next, rebuilt, "step " + step);
            assertEquals(SnapshotCodec.contentHash(next), SnapshotCodec.contentHash(rebuilt), "step " + step);
            previous = next;
        }
    }
}
