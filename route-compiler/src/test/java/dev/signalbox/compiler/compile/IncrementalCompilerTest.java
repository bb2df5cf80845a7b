package dev.signalbox.compiler.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.SyntheticCluster;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.RejectedState;
import dev.signalbox.schemas.event.ServiceExportState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiler's incremental compile gives the table a whole compile gives, to the content hash, after every change
 * of random sequences: endpoint changes (ready, not ready, added, removed), slices added, deleted, moved to another
 * Service or rejected, in a Service merged across two clusters too, beside changes that are not endpoint changes
 * (a Service's ports, an export, an Ingress, a heartbeat). And it does not compile the whole model for an endpoint
 * change.
 */
class IncrementalCompilerTest {
    private static final int APPS = 12;

    /** Cluster c0's apps (exported, as SyntheticCluster makes them), c1 exporting apps 0-3 too, and odd backends (HTTPS, gRPC). */
    private static ClusterModel model() {
        ClusterModel model = SyntheticCluster.model(APPS, 3, 2);
        model.apply(SyntheticCluster.ingressClass("c1"));
        for (int i = 0; i < 4; i++) {
            List<ClusterEvent> app = SyntheticCluster.app("c1", 1, i, 2, 0, 1);
            model.apply(app.get(0));
            model.apply(app.get(1));
            model.apply(app.get(2));
        }
        // A named port, a TLS backend, an ExternalName Service and a Service that does not exist.
        model.apply(SyntheticCluster.upsert("c0", Kind.INGRESS, "apps", "odd", new IngressState("signalbox",
                Map.of("signalbox.dev/backend-protocol", "HTTPS"), Instant.ofEpochSecond(999), null, List.of(),
                List.of(new IngressState.Rule("odd.test", List.of(
                        path("/named", "app-5", null, "http"), path("/tls", "app-6", 80, null),
                        path("/ext", "ext", 443, null), path("/gone", "missing", 80, null)))))));
        model.apply(SyntheticCluster.upsert("c0", Kind.INGRESS, "apps", "grpc", new IngressState("signalbox",
                Map.of("signalbox.dev/backend-protocol", "GRPC"), Instant.ofEpochSecond(998), null, List.of(),
                List.of(new IngressState.Rule("grpc.test", List.of(path("/", "app-7", 80, null)))))));
        model.apply(SyntheticCluster.upsert("c0", Kind.SERVICE, "apps", "ext", new ServiceState("ExternalName",
                "example.com", List.of(new ServiceState.Port("https", 443, "443", "TCP")))));
        return model;
    }

    private static IngressState.PathRule path(String path, String service, Integer port, String portName) {
        return new IngressState.PathRule(path, "Prefix", new IngressState.BackendRef(
                new IngressState.ServiceRef(service, port, portName), null));
    }

    private static EndpointSliceState slice(String service, Random random, int c) {
        List<EndpointSliceState.Endpoint> eps = new ArrayList<>();
        int n = random.nextInt(4);
        for (int e = 0; e < n; e++) {
            Boolean ready = random.nextInt(4) == 0 ? null : random.nextBoolean();
            eps.add(new EndpointSliceState.Endpoint(List.of("10." + c + ".9." + random.nextInt(20)), ready,
                    random.nextBoolean(), false, random.nextBoolean() ? "zone-" + random.nextInt(2) : null));
        }
        return new EndpointSliceState(service, "IPv4", List.of(new EndpointSliceState.Port("http", 8080, "TCP")), eps);
    }

    @Test
    void everyTableOfARandomChangeSequenceIsTheWholeCompilesToTheHash() {
        for (long seed = 1; seed <= 4; seed++) {
            Random random = new Random(seed);
            ClusterModel model = model();
            IncrementalCompiler incremental = new IncrementalCompiler();
            int wholeChanges = 0;
            for (int step = 0; step < 150; step++) {
                String cluster = random.nextInt(4) == 0 ? "c1" : "c0";
                int c = cluster.equals("c1") ? 1 : 0;
                String app = "app-" + random.nextInt(cluster.equals("c1") ? 4 : APPS);
                ObjectKey sliceKey = new ObjectKey(cluster, Kind.ENDPOINT_SLICE, "apps", app + "-" + (1 + random.nextInt(2)));
                int op = random.nextInt(20);
                if (op < 13 && model.all().get(sliceKey) != null && model.all().get(sliceKey).state() instanceof RejectedState) {
                    // A rejected slice is diagnosed: changing it is not an endpoint change either.
                    wholeChanges++;
                }
                if (op < 10) {
                    model.apply(upsert(sliceKey, slice(app, random, c)));
                } else if (op < 12) {
                    model.apply(ClusterEvent.delete(sliceKey, "u", "2", Instant.EPOCH, 1));
                } else if (op < 13) {
                    // The slice moves to another Service (its kubernetes.io/service-name label changed).
                    model.apply(upsert(sliceKey, slice("app-" + random.nextInt(APPS), random, c)));
                } else if (op < 14) {
                    model.apply(upsert(sliceKey, new RejectedState(Kind.ENDPOINT_SLICE, "too big")));
                    wholeChanges++;
                } else if (op < 15) {
                    model.apply(Heartbeat.of(cluster, 1, Instant.ofEpochSecond(step), 0));
                } else if (op < 16) {
                    model.apply(SyntheticCluster.upsert(cluster, Kind.SERVICE, "apps", app, new ServiceState("ClusterIP", null,
                            List.of(new ServiceState.Port(random.nextBoolean() ? "http" : "web", 80, "8080", "TCP")))));
                    wholeChanges++;
                } else if (op < 17) {
                    ObjectKey export = new ObjectKey(cluster, Kind.SERVICE_EXPORT, "apps", app);
                    model.apply(random.nextBoolean() ? ClusterEvent.delete(export, "u", "2", Instant.EPOCH, 1)
                            : upsert(export, new ServiceExportState(null)));
                    wholeChanges++;
                } else if (op < 18) {
                    model.apply(SyntheticCluster.app(cluster, c, random.nextInt(APPS), 2, 1, 1 + random.nextInt(3)).get(3));
                    wholeChanges++;
                } else {
                    // Several slice changes before one compile, as a batch brings them.
                    boolean rejected = false;
                    for (int k = 0; k < 3; k++) {
                        String a = "app-" + random.nextInt(4);
                        ObjectKey key = new ObjectKey(cluster, Kind.ENDPOINT_SLICE, "apps", a + "-1");
                        rejected |= model.all().get(key) != null && model.all().get(key).state() instanceof RejectedState;
                        model.apply(upsert(key, slice(a, random, c)));
                    }
                    wholeChanges += rejected ? 1 : 0;
                }
                RoutingTable whole = Isolation.compile(model);
                RoutingTable got = incremental.compile(model);
                assertEquals(whole, got, "seed " + seed + " step " + step + " op " + op);
                assertEquals(SnapshotCodec.contentHash(whole), SnapshotCodec.contentHash(got), "seed " + seed + " step " + step);
            }
            assertTrue(incremental.wholeCompiles() <= 1 + wholeChanges,
                    "endpoint changes compiled whole: " + incremental.wholeCompiles() + " whole compiles for " + wholeChanges
                            + " other changes");
        }
    }

    private static ClusterEvent upsert(ObjectKey key, dev.signalbox.schemas.event.ObjectState state) {
        return ClusterEvent.upsert(key, key.clusterId() + "-" + key.name(), "2", Instant.EPOCH, 1, state);
    }
}
