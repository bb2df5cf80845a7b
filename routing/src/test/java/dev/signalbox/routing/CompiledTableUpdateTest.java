package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TableDelta;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A proxy compiles each new version from the table it serves ({@link CompiledTable#compile(RoutingSnapshot, Locality,
 * CompiledTable)}, issue 15): it must route exactly as a table compiled from scratch, and a backend the version did
 * not change keeps its round-robin place, so its clients see no restart of the rotation.
 */
class CompiledTableUpdateTest {
    private static final Locality HERE = new Locality("c", null, Locality.Policy.PREFER_LOCAL);
    private static final List<String> HOSTS = List.of("a.test", "b.test", "c.test", "*.w.test", "*");

    private static Backend backend(String name, int... lastOctets) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int o : lastOctets) {
            endpoints.add(new Endpoint("10.0.0." + o, 8080));
        }
        return new Backend("c/ns/" + name + ":80", "c", "ns", name, "80", endpoints,
                endpoints.isEmpty() ? "no ready endpoints" : null);
    }

    private static VirtualHost host(String host, Backend... routes) {
        List<Route> r = new ArrayList<>();
        for (int i = 0; i < routes.length; i++) {
            r.add(new Route(i == routes.length - 1 ? "/" : "/p" + i, PathMatch.PREFIX, routes[i].id(), "c/ns/" + host));
        }
        return new VirtualHost(host, r);
    }

    private static RoutingSnapshot version(long v, List<VirtualHost> hosts, List<Backend> backends) {
        return version(v, new RoutingTable(hosts, null, backends, List.of(), List.of()));
    }

    private static RoutingSnapshot version(long v, RoutingTable table) {
        return SnapshotCodec.create(v, Instant.EPOCH, List.of(), table);
    }

    /** Versions in turn: endpoints change, a host moves to another backend, a host and a backend go, all come back. */
    private static List<RoutingSnapshot> versions() {
        Backend a = backend("a", 1, 2, 3);
        Backend b = backend("b", 4, 5);
        Backend a2 = backend("a", 1, 3, 6);
        Backend c = backend("c");
        return List.of(
                version(1, List.of(host("a.test", b, a), host("b.test", b), host("*.w.test", a), host("*", b)), List.of(a, b)),
                version(2, List.of(host("a.test", b, a2), host("b.test", b), host("*.w.test", a2), host("*", b)), List.of(a2, b)),
                version(3, List.of(host("a.test", b, a2), host("b.test", a2), host("*.w.test", a2), host("*", b)), List.of(a2, b)),
                version(4, List.of(host("a.test", b, a2), host("c.test", c), host("*", b)), List.of(a2, b, c)),
                version(5, List.of(host("a.test", b, a), host("b.test", b), host("*.w.test", a), host("*", b)), List.of(a, b)),
                version(6, List.of(host("a.test", b, a), host("b.test", b), host("*.w.test", a), host("*", b)),
                        List.of(a, backend("b", 5, 7))));
    }

    /**
     * The same versions as a proxy reads them: each the last table with the delta to the next applied, so what a
     * version did not change is the same instance (an endpoint change keeps the hosts' list).
     */
    private static List<RoutingSnapshot> throughDeltas(List<RoutingSnapshot> whole) {
        List<RoutingSnapshot> out = new ArrayList<>(List.of(whole.get(0)));
        for (int i = 1; i < whole.size(); i++) {
            RoutingTable last = out.get(i - 1).table();
            out.add(version(i + 1, TableDelta.between(last, whole.get(i).table()).applyTo(last)));
        }
        return out;
    }

    @Test
    void eachVersionRoutesAsATableCompiledFromScratch() {
        for (List<RoutingSnapshot> versions : List.of(versions(), throughDeltas(versions()))) {
            routesAsFromScratch(versions);
        }
    }

    private static void routesAsFromScratch(List<RoutingSnapshot> versions) {
        CompiledTable serving = CompiledTable.EMPTY;
        for (RoutingSnapshot s : versions) {
            serving = CompiledTable.compile(s, HERE, serving);
            CompiledTable fresh = CompiledTable.compile(s, HERE);
            for (String h : HOSTS) {
                String host = h.equals("*") ? "other.test" : h.replace("*", "x");
                for (String path : List.of("/", "/p0/x", "/p1")) {
                    // The same route and backend with the same endpoints; where each rotation stands may differ.
                    Decision want = fresh.route(host, path);
                    Decision got = serving.route(host, path);
                    assertEquals(routeOf(want), routeOf(got), "version " + s.version() + " " + host + path);
                    if (want instanceof Decision.Forward f) {
                        // One round of the rotation reaches exactly the backend's endpoints of this version.
                        List<Endpoint> endpoints = fresh.serving(f.backendId()).endpoints();
                        java.util.Set<Endpoint> reached = new java.util.HashSet<>();
                        for (int n = 0; n < endpoints.size(); n++) {
                            reached.add(((Decision.Forward) serving.route(host, path)).endpoint());
                        }
                        assertEquals(java.util.Set.copyOf(endpoints), reached, "version " + s.version() + " " + host + path);
                    }
                }
            }
        }
    }

    private static Object routeOf(Decision d) {
        return d instanceof Decision.Forward f ? List.of(f.route(), f.backendId()) : d;
    }

    @Test
    void aBackendTheVersionDidNotChangeKeepsItsRoundRobinPlace() {
        List<RoutingSnapshot> v = versions();
        CompiledTable first = CompiledTable.compile(v.get(0), HERE);
        Decision.Forward before = (Decision.Forward) first.route("b.test", "/");
        CompiledTable second = CompiledTable.compile(v.get(1), HERE, first);
        Decision.Forward after = (Decision.Forward) second.route("b.test", "/");
        assertEquals(List.of("10.0.0.4", "10.0.0.5"), List.of(before.endpoint().address(), after.endpoint().address()));
    }
}
