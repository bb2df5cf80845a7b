package dev.signalbox.compiler.compile;

import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.ServiceExportState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several clusters in one events log (issue 14): merged Services (KEP-1645), conflicts between clusters, and
 * stale clusters. Records in, whole table out (through {@link Isolation#compile}, as the compiler loop and
 * replays compile), one assertEquals per case.
 */
class MultiClusterTest {
    static final Instant HB = Instant.parse("2026-12-06T03:00:00Z");

    /** Cluster {@code c}: our class, Service web (port "http" 80) with ready endpoints on 8080. */
    static List<EventLogRecord> web(String c, String... addresses) {
        return List.of(upsert(c, Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState(IngressClasses.CONTROLLER, true)),
                upsert(c, Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null,
                        List.of(new ServiceState.Port("http", 80, "8080", "TCP")))),
                upsert(c, Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                        List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                        List.of(new EndpointSliceState.Endpoint(Arrays.asList(addresses), true, true, false, c + "-a")))));
    }

    static ClusterEvent export(String c, String name) {
        return upsert(c, Kind.SERVICE_EXPORT, "ns", name, new ServiceExportState(null));
    }

    static ClusterEvent upsert(String c, Kind kind, String ns, String name, ObjectState state) {
        return ClusterEvent.upsert(new ObjectKey(c, kind, ns, name), "uid-" + c + name, "1", Instant.EPOCH, 1, state);
    }

    static ClusterEvent ingress(String c, String name, int created, String host, String service) {
        return upsert(c, Kind.INGRESS, "ns", name, new IngressState("signalbox", Map.of(), Instant.ofEpochSecond(created), null,
                List.of(), List.of(new IngressState.Rule(host, List.of(new IngressState.PathRule("/", "Prefix",
                        new IngressState.BackendRef(new IngressState.ServiceRef(service, 80, null), null)))))));
    }

    static Heartbeat heartbeat(String c, int second) {
        return Heartbeat.of(c, 1, HB.plusSeconds(second), 3);
    }

    static ClusterLiveness stale(String c, int lastHeartbeatSecond, boolean keep) {
        return ClusterLiveness.stale(c, 1, HB.plusSeconds(100), HB.plusSeconds(lastHeartbeatSecond), keep, "silent");
    }

    @SafeVarargs
    static List<EventLogRecord> log(List<? extends EventLogRecord>... parts) {
        List<EventLogRecord> out = new ArrayList<>();
        for (List<? extends EventLogRecord> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    static List<EventLogRecord> of(EventLogRecord... records) {
        return List.of(records);
    }

    static ClusterModel model(List<EventLogRecord> records) {
        ClusterModel m = new ClusterModel();
        records.forEach(m::apply);
        return m;
    }

    static Endpoint ep(String address, String cluster, String zone) {
        return new Endpoint(address, 8080, cluster, zone);
    }

    static Backend backend(String c, String service, Endpoint... endpoints) {
        return new Backend(Backend.idOf(c, "ns", service, "80"), c, "ns", service, "80", List.of(endpoints), null);
    }

    static VirtualHost host(String host, String backendCluster, String service, String ingress) {
        return new VirtualHost(host, List.of(new Route("/", PREFIX, Backend.idOf(backendCluster, "ns", service, "80"), ingress)));
    }

    static Diagnostic warning(String c, String kind, String name, String message) {
        return new Diagnostic(c, kind, kind.equals("Cluster") ? "" : "ns", name, Diagnostic.Severity.WARNING, message);
    }

    static RoutingTable table(List<VirtualHost> hosts, List<Backend> backends, List<String> ingresses,
                              Diagnostic... diagnostics) {
        return new RoutingTable(hosts, null, backends, List.of(), ingresses, List.of(diagnostics));
    }

    private static Arguments row(String name, List<EventLogRecord> records, RoutingTable expected) {
        return Arguments.of(name, records, expected);
    }

    static final String STALE_C2 = "cluster c2 is stale: the compiler recorded that no heartbeat came after "
            + HB.plusSeconds(5) + "; its endpoints are ";

    static Stream<Arguments> cases() {
        return Stream.of(
                row("an Ingress to a Service exported in two clusters routes to the ready endpoints of both",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1", "10.2.0.2"), of(export("c1", "web"), export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"), ep("10.2.0.1", "c2", "c2-a"),
                                        ep("10.2.0.2", "c2", "c2-a"))),
                                List.of("c1/ns/a"))),

                row("a Service exported only in the other cluster stays local to the Ingress's cluster",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"))), List.of("c1/ns/a"))),

                row("an exported and a non-exported Service side by side: only the exported one is merged",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(
                                upsert("c1", Kind.SERVICE, "ns", "api", new ServiceState("ClusterIP", null,
                                        List.of(new ServiceState.Port("http", 80, "8080", "TCP")))),
                                upsert("c1", Kind.ENDPOINT_SLICE, "ns", "api-1", new EndpointSliceState("api", "IPv4",
                                        List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                                        List.of(new EndpointSliceState.Endpoint(List.of("10.1.9.1"), true, true, false)))),
                                upsert("c2", Kind.SERVICE, "ns", "api", new ServiceState("ClusterIP", null,
                                        List.of(new ServiceState.Port("http", 80, "8080", "TCP")))),
                                upsert("c2", Kind.ENDPOINT_SLICE, "ns", "api-1", new EndpointSliceState("api", "IPv4",
                                        List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                                        List.of(new EndpointSliceState.Endpoint(List.of("10.2.9.1"), true, true, false)))),
                                export("c1", "web"), export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"), ingress("c1", "b", 1, "api.com", "api"))),
                        table(List.of(host("api.com", "c1", "api", "c1/ns/b"), host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(new Backend(Backend.idOf("c1", "ns", "api", "80"), "c1", "ns", "api", "80",
                                                List.of(new Endpoint("10.1.9.1", 8080)), null),
                                        backend("c1", "web", ep("10.1.0.1", null, "c1-a"), ep("10.2.0.1", "c2", "c2-a"))),
                                List.of("c1/ns/a", "c1/ns/b"))),

                row("the same host and path to the same exported Service in two clusters is one route, the oldest's, without a warning",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(export("c1", "web"), export("c2", "web"),
                                ingress("c2", "a", 1, "foo.com", "web"), ingress("c1", "a", 1, "foo.com", "web"))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"), ep("10.2.0.1", "c2", "c2-a"))),
                                List.of("c1/ns/a", "c2/ns/a"))),

                row("two clusters routing the same host and path to different Services: the oldest Ingress wins and the other names it",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(
                                ingress("c1", "a", 2, "foo.com", "web"), ingress("c2", "b", 1, "foo.com", "web"))),
                        table(List.of(host("foo.com", "c2", "web", "c2/ns/b")),
                                List.of(backend("c2", "web", ep("10.2.0.1", null, "c2-a"))),
                                List.of("c1/ns/a", "c2/ns/b"),
                                new Diagnostic("c1", "Ingress", "ns", "a", Diagnostic.Severity.WARNING, "path \"/\" of host foo.com"
                                        + " (Prefix) is already routed by the older Ingress ns/b in cluster c2; this path is ignored"))),

                row("between Ingresses created at the same time in two clusters, the lower cluster id wins",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(
                                ingress("c2", "a", 1, "foo.com", "web"), ingress("c1", "z", 1, "foo.com", "web"))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/z")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"))),
                                List.of("c1/ns/z", "c2/ns/a"),
                                new Diagnostic("c2", "Ingress", "ns", "a", Diagnostic.Severity.WARNING, "path \"/\" of host foo.com"
                                        + " (Prefix) is already routed by the older Ingress ns/z in cluster c1; this path is ignored"))),

                row("an exporting cluster without a port of the same name is left out of the merged Service, with a warning on its export",
                        log(web("c1", "10.1.0.1"), of(
                                upsert("c2", Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null,
                                        List.of(new ServiceState.Port("web", 80, "8080", "TCP")))),
                                export("c1", "web"), export("c2", "web"), ingress("c1", "a", 1, "foo.com", "web"))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"))), List.of("c1/ns/a"),
                                warning("c2", "ServiceExport", "web", "exported Service ns/web has no port named \"http\" in"
                                        + " cluster c2 (cluster c1 routes to it, as port 80); ports merge by name, so its"
                                        + " endpoints are left out"))),

                row("a port of the same name but another number is merged by name, with a warning",
                        log(web("c1", "10.1.0.1"), of(
                                upsert("c2", Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null,
                                        List.of(new ServiceState.Port("http", 8000, "8080", "TCP")))),
                                upsert("c2", Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                                        List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                                        List.of(new EndpointSliceState.Endpoint(List.of("10.2.0.1"), true, true, false)))),
                                export("c1", "web"), export("c2", "web"), ingress("c1", "a", 1, "foo.com", "web"))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"), ep("10.2.0.1", "c2", null))),
                                List.of("c1/ns/a"),
                                warning("c2", "ServiceExport", "web", "exported Service ns/web: port \"http\" is 8000 in"
                                        + " cluster c2 but 80 in cluster c1; merged by name (traffic goes to each endpoint's"
                                        + " own target port)"))),

                row("a cluster recorded as stale has its endpoints withdrawn from a merged Service another cluster serves",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(export("c1", "web"), export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"), heartbeat("c2", 5), stale("c2", 5, false))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"))), List.of("c1/ns/a"),
                                warning("c2", "Cluster", "c2", STALE_C2 + "withdrawn from merged Services that another"
                                        + " cluster serves until its next heartbeat"))),

                row("a stale cluster keeps serving a merged Service no other cluster has endpoints for",
                        log(web("c1"), web("c2", "10.2.0.1"), of(export("c1", "web"), export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"), heartbeat("c2", 5), stale("c2", 5, false))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.2.0.1", "c2", "c2-a"))), List.of("c1/ns/a"),
                                warning("c2", "Cluster", "c2", STALE_C2 + "withdrawn from merged Services that another"
                                        + " cluster serves until its next heartbeat"))),

                row("a stale cluster's endpoints are kept and marked stale when its decision says to keep them",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(export("c1", "web"), export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"), heartbeat("c2", 5), stale("c2", 5, true))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"),
                                        new Endpoint("10.2.0.1", 8080, "c2", "c2-a", true))), List.of("c1/ns/a"),
                                warning("c2", "Cluster", "c2", STALE_C2 + "kept in merged Services, marked stale until its"
                                        + " next heartbeat"))),

                row("a stale cluster's local Services are not touched",
                        log(web("c2", "10.2.0.1"), of(ingress("c2", "a", 1, "foo.com", "web"), heartbeat("c2", 5),
                                stale("c2", 5, false))),
                        table(List.of(host("foo.com", "c2", "web", "c2/ns/a")),
                                List.of(backend("c2", "web", ep("10.2.0.1", null, "c2-a"))), List.of("c2/ns/a"),
                                warning("c2", "Cluster", "c2", STALE_C2 + "withdrawn from merged Services that another"
                                        + " cluster serves until its next heartbeat"))),

                row("the next heartbeat of a stale cluster makes it live again",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(export("c1", "web"), export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"), heartbeat("c2", 5), stale("c2", 5, false),
                                heartbeat("c2", 200))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"), ep("10.2.0.1", "c2", "c2-a"))),
                                List.of("c1/ns/a"))),

                row("a stale decision that does not follow the cluster's latest heartbeat is void",
                        log(web("c1", "10.1.0.1"), web("c2", "10.2.0.1"), of(export("c1", "web"), export("c2", "web"),
                                ingress("c1", "a", 1, "foo.com", "web"), heartbeat("c2", 5), heartbeat("c2", 10),
                                stale("c2", 5, false))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"), ep("10.2.0.1", "c2", "c2-a"))),
                                List.of("c1/ns/a"))),

                row("a removed cluster is forgotten: its stale warning goes with it",
                        log(web("c1", "10.1.0.1"), of(ingress("c1", "a", 1, "foo.com", "web"), heartbeat("c2", 5),
                                stale("c2", 5, false), ClusterLiveness.removed("c2", 1, HB.plusSeconds(300), "decommissioned"))),
                        table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"))), List.of("c1/ns/a"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<EventLogRecord> records, RoutingTable expected) {
        assertEquals(expected, Isolation.compile(model(records)));
    }

    @Test
    void aRemovalFoldsToTheSameClustersAndTableWhereverTheClustersOtherRecordsFallAroundIt() {
        // The removal's record is in the cluster's liveness partition; its objects' events are in others, and a fold
        // (the compiler's, a replay's) may read those before or after it.
        List<EventLogRecord> objects = log(web("c2", "10.2.0.1"), of(export("c2", "web")));
        List<EventLogRecord> deletes = objects.stream().map(r -> (EventLogRecord) ClusterEvent.delete(((ClusterEvent) r).key(),
                "u", "2", HB, 2)).toList();
        List<EventLogRecord> base = log(web("c1", "10.1.0.1"), of(export("c1", "web"), ingress("c1", "a", 1, "foo.com", "web")));
        List<EventLogRecord> liveness = of(heartbeat("c2", 5), stale("c2", 5, false),
                ClusterLiveness.removed("c2", 2, HB.plusSeconds(300), "decommissioned"));
        ClusterModel objectsFirst = model(log(base, objects, deletes, liveness));
        ClusterModel livenessFirst = model(log(base, liveness, objects, deletes));
        assertEquals(objectsFirst.clusters(), livenessFirst.clusters());
        assertEquals(Isolation.compile(objectsFirst), Isolation.compile(livenessFirst));
        assertEquals(table(List.of(host("foo.com", "c1", "web", "c1/ns/a")),
                List.of(backend("c1", "web", ep("10.1.0.1", null, "c1-a"))), List.of("c1/ns/a")), Isolation.compile(livenessFirst));
    }

    @Test
    void oneClusterExportingItsServicesAndSendingHeartbeatsHashesAsWithoutEither() {
        List<EventLogRecord> plain = log(web("c1", "10.1.0.1"), of(ingress("c1", "a", 1, "foo.com", "web")));
        List<EventLogRecord> exported = log(plain, of(export("c1", "web"), heartbeat("c1", 5), heartbeat("c1", 10)));
        assertEquals(SnapshotCodec.contentHash(Isolation.compile(model(plain))),
                SnapshotCodec.contentHash(Isolation.compile(model(exported))));
    }
}
