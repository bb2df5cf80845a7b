package dev.signalbox.compiler.model;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.ServiceExportState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.SyncMarker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Synthetic clusters for the benchmarks ({@code bin/ingress bench-clusters} and the {@code benchmarks} module's JMH
 * runs): N Ingresses, Ingress i with host app-i.test and P Prefix paths ("/" then "/svc-1" .. "/svc-(P-1)"), all to
 * its own Service app-i (exported, so a multi-cluster run merges it across clusters) with one EndpointSlice of E
 * endpoints. Pure: events only, no I/O.
 */
public final class SyntheticCluster {
    public static final String CONTROLLER = "signalbox.dev/ingress-controller";

    private SyntheticCluster() {
    }

    /** The default IngressClass "signalbox" of {@code cluster}, ours. */
    public static ClusterEvent ingressClass(String cluster) {
        return upsert(cluster, Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState(CONTROLLER, true));
    }

    /**
     * Service app-i of {@code cluster} (index {@code c}, which picks the addresses 10.c.x.y) with its export, its
     * slice (the first {@code unready} endpoints not ready) and its Ingress of {@code paths} paths, in that order:
     * element 2 is the slice.
     */
    public static List<ClusterEvent> app(String cluster, int c, int i, int endpoints, int unready, int paths) {
        String name = "app-" + i;
        List<EndpointSliceState.Endpoint> eps = new ArrayList<>();
        for (int e = 0; e < endpoints; e++) {
            int n = i * endpoints + e;
            eps.add(new EndpointSliceState.Endpoint(List.of("10." + c + "." + (n / 250) + "." + (n % 250 + 1)), e >= unready,
                    true, false, "zone-" + (e % 3)));
        }
        IngressState.BackendRef backend = new IngressState.BackendRef(new IngressState.ServiceRef(name, 80, null), null);
        List<IngressState.PathRule> rules = new ArrayList<>();
        for (int p = 0; p < paths; p++) {
            rules.add(new IngressState.PathRule(path(p), "Prefix", backend));
        }
        return List.of(
                upsert(cluster, Kind.SERVICE, "apps", name, new ServiceState("ClusterIP", null,
                        List.of(new ServiceState.Port("http", 80, "8080", "TCP")))),
                upsert(cluster, Kind.SERVICE_EXPORT, "apps", name, new ServiceExportState(null)),
                upsert(cluster, Kind.ENDPOINT_SLICE, "apps", name + "-1", new EndpointSliceState(name, "IPv4",
                        List.of(new EndpointSliceState.Port("http", 8080, "TCP")), eps)),
                upsert(cluster, Kind.INGRESS, "apps", name, new IngressState("signalbox", Map.of(), Instant.ofEpochSecond(i),
                        null, List.of(), List.of(new IngressState.Rule(host(i), rules)))));
    }

    /** The host of Ingress i. */
    public static String host(int i) {
        return "app-" + i + ".test";
    }

    /** Path p of every Ingress: "/" for 0, "/svc-p" after. */
    public static String path(int p) {
        return p == 0 ? "/" : "/svc-" + p;
    }

    /** One cluster "c0" of {@code ingresses} apps, listed (its sync marker and a heartbeat applied): the model the compiler folds. */
    public static ClusterModel model(int ingresses, int endpoints, int paths) {
        ClusterModel model = new ClusterModel();
        model.apply(ingressClass("c0"));
        for (int i = 0; i < ingresses; i++) {
            app("c0", 0, i, endpoints, 0, paths).forEach(model::apply);
        }
        model.apply(SyncMarker.of("c0", 1, Instant.EPOCH, 0));
        model.apply(Heartbeat.of("c0", 1, Instant.EPOCH, 0));
        return model;
    }

    public static ClusterEvent upsert(String cluster, Kind kind, String ns, String name, ObjectState state) {
        return ClusterEvent.upsert(new ObjectKey(cluster, kind, ns, name), cluster + "-" + name, "1", Instant.EPOCH, 1, state);
    }
}
