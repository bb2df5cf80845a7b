package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one Ingress that breaks the compiler (a bug nobody has found yet) from stopping every other
 * route: when compiling the whole model throws, each Ingress is compiled alone on top of everything that
 * is not an Ingress, those that throw are left out with a diagnostic, and the rest is compiled. Same
 * model, same outcome: the result stays deterministic, so replays agree. If the model without any
 * Ingress throws, or the rest still throws, the failure is not one Ingress's and is rethrown.
 */
public final class Isolation {
    private static final Logger LOG = LoggerFactory.getLogger(Isolation.class);

    private Isolation() {
    }

    /**
     * {@link RouteCompiler#compile} with the isolation above, plus a diagnostic for each cluster whose
     * initial list is missing ({@link SyncDiagnostics}): what the compiler loop and replays use.
     */
    public static RoutingTable compile(ClusterModel model) {
        return SyncDiagnostics.add(compile(model, RouteCompiler::compile), model);
    }

    static RoutingTable compile(ClusterModel model, Function<ClusterModel, RoutingTable> compiler) {
        RuntimeException whole;
        try {
            return compiler.apply(model);
        } catch (RuntimeException e) {
            whole = e;
        }
        List<StoredObject> ingresses = List.copyOf(model.ofKind(Kind.INGRESS));
        ClusterModel work = copy(model);
        for (StoredObject o : ingresses) {
            work.apply(ClusterEvent.delete(o.key(), o.uid(), o.resourceVersion(), o.observedAt(), 0));
        }
        try {
            compiler.apply(work);
        } catch (RuntimeException e) {
            whole.addSuppressed(e);
            throw whole;
        }
        Map<ObjectKey, RuntimeException> broken = new TreeMap<>();
        for (StoredObject o : ingresses) {
            work.apply(upsert(o));
            try {
                compiler.apply(work);
            } catch (RuntimeException e) {
                broken.put(o.key(), e);
            }
            work.apply(ClusterEvent.delete(o.key(), o.uid(), o.resourceVersion(), o.observedAt(), 0));
        }
        ClusterModel rest = copy(model);
        broken.keySet().forEach(k -> rest.apply(ClusterEvent.delete(k, null, null, null, 0)));
        RoutingTable table;
        try {
            table = compiler.apply(rest);
        } catch (RuntimeException e) {
            whole.addSuppressed(e);
            throw whole;
        }
        Diagnostics diagnostics = new Diagnostics();
        table.diagnostics().forEach(diagnostics::add);
        broken.forEach((key, e) -> {
            LOG.error("compiling Ingress {} of cluster {} failed; it is left out of the snapshot", key.shortName(),
                    key.clusterId(), e);
            // The exception's class only: its message may carry details that differ between runtimes.
            diagnostics.error(key, "compiling this Ingress failed (" + e.getClass().getSimpleName()
                    + ", a Signalbox bug: please report it); not routed");
        });
        return new RoutingTable(table.virtualHosts(), table.defaultBackend(), table.backends(), table.tls(),
                table.ingresses(), diagnostics.sorted());
    }

    private static ClusterModel copy(ClusterModel model) {
        ClusterModel c = new ClusterModel();
        List<StoredObject> all = new ArrayList<>(model.all().values());
        all.forEach(o -> c.apply(upsert(o)));
        // The clusters' sync and liveness, which routing reads too (stale clusters' endpoints).
        model.clusters().forEach(c::restoreCluster);
        return c;
    }

    private static ClusterEvent upsert(StoredObject o) {
        return ClusterEvent.upsert(o.key(), o.uid(), o.resourceVersion(), o.observedAt(), 0, o.state());
    }
}
