package dev.signalbox.schemas.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.TableDelta.Others;
import dev.signalbox.schemas.snapshot.TableDelta.Upsert;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
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
            RoutingTable next = randomTable(random);
            TableDelta d = TableDelta.between(previous, next);
            RoutingTable rebuilt = d.applyTo(previous);
            assertEquals(next, rebuilt, "step " + step);
            assertEquals(SnapshotCodec.contentHash(next), SnapshotCodec.contentHash(rebuilt), "step " + step);
            previous = next;
        }
    }

    private static RoutingTable randomTable(Random random) {
        TreeMap<String, Backend> backends = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            if (random.nextInt(3) > 0) {
                List<String> addresses = new ArrayList<>();
                for (int e = 0; e < 4; e++) {
                    if (random.nextBoolean()) {
                        addresses.add("10.0." + i + "." + e);
                    }
                }
                Backend b = backend("svc-" + i, addresses.toArray(String[]::new));
                backends.put(b.id(), b);
            }
        }
        List<Backend> pool = List.copyOf(backends.values());
        TreeMap<String, VirtualHost> hosts = new TreeMap<>();
        TreeMap<String, TlsBinding> tls = new TreeMap<>();
        List<String> ingresses = new ArrayList<>();
        for (int h = 0; h < 15 && !pool.isEmpty(); h++) {
            if (random.nextInt(3) > 0) {
                String name = "host-" + h + ".test";
                hosts.put(name, host(name, pool.get(random.nextInt(pool.size()))));
                ingresses.add("c/ns/" + name);
                if (random.nextInt(4) == 0) {
                    tls.put(name, new TlsBinding(name, "c/ns/cert-" + h, "-----BEGIN CERTIFICATE-----" + random.nextInt(3), null));
                }
            }
        }
        String defaultBackend = !pool.isEmpty() && random.nextBoolean() ? pool.get(random.nextInt(pool.size())).id() : null;
        List<Diagnostic> diagnostics = random.nextBoolean() ? List.of()
                : List.of(new Diagnostic("c", "Ingress", "ns", "x", Diagnostic.Severity.WARNING, "m" + random.nextInt(3)));
        return new RoutingTable(List.copyOf(hosts.values()), defaultBackend, pool, List.copyOf(tls.values()),
                ingresses.stream().sorted().toList(), diagnostics);
    }
}
