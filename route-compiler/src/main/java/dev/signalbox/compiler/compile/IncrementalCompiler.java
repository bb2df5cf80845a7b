package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.ClusterSync;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Isolation#compile} of a model that keeps changing, doing only the work a change needs (issue 15): when
 * nothing but EndpointSlices changed since the last table, only the backends of their Services are built again and
 * everything else is the last table's; any other change compiles the whole model. The result is always the table a
 * whole compile of the same model gives, byte for byte ({@code IncrementalCompilerTest} proves it on random change
 * sequences).
 *
 * <p>Pure, but with a memory: it keeps the last table and where the model's journal of changes stood then, and reads
 * what changed since from the journal (the model records every object it replaces), so finding the change costs the
 * change, not the model. It is the journal's one reader: it tells the model to forget what it has read. Not
 * thread-safe: one per compiler loop, on its thread.
 */
public final class IncrementalCompiler {
    private RoutingTable last;
    /** The model the last table is of, and where its journal of changes stood then. */
    private ClusterModel lastModel;
    private long stamp;
    private Map<String, ClusterSync> clusters = Map.of();
    private long wholeCompiles;

    /** The table of {@code model} as it is now. */
    public RoutingTable compile(ClusterModel model) {
        Map<String, ClusterSync> routingClusters = routingView(model.clusters());
        Set<String> services = last == null || model != lastModel || !routingClusters.equals(clusters)
                ? null : changedServices(model);
        RoutingTable table;
        if (services == null) {
            table = Isolation.compile(model);
            wholeCompiles++;
        } else if (services.isEmpty()) {
            table = last;
        } else {
            table = rebuild(model, services);
        }
        remember(model, table, routingClusters);
        return table;
    }

    /**
     * Takes {@code table} as the table of {@code model} as it is now, without compiling (issue 15): a compiler that
     * restored the model its latest snapshot was compiled from, by a compiler of the same build (the caller checks
     * that), publishes its first change as an incremental compile on that table instead of compiling 10,000
     * Ingresses on cold code first. The next compiles build on it as on any table of this compiler.
     */
    public void seed(ClusterModel model, RoutingTable table) {
        remember(model, table, routingView(model.clusters()));
    }

    private void remember(ClusterModel model, RoutingTable table, Map<String, ClusterSync> routingClusters) {
        last = table;
        lastModel = model;
        stamp = model.stamp();
        model.forgetChangesBefore(stamp);
        clusters = routingClusters;
    }

    /** How many compiles were whole (the first, and those after a change other than EndpointSlices'). */
    public long wholeCompiles() {
        return wholeCompiles;
    }

    /**
     * "namespace/name" of each Service whose slices changed since the last table (before and after the change: a
     * slice may move to another Service), or null when something else changed, read from the model's journal.
     */
    private Set<String> changedServices(ClusterModel model) {
        Map<ObjectKey, StoredObject> changed = model.changedSince(stamp);
        if (changed == null) {
            return null;
        }
        Set<String> services = new HashSet<>();
        for (Map.Entry<ObjectKey, StoredObject> e : changed.entrySet()) {
            StoredObject now = model.stored(e.getKey());
            if (now != e.getValue() && !sliceChange(e.getValue(), now, services)) {
                return null;
            }
        }
        return services;
    }

    /** Adds the Services of a slice's change (either side may be null: added, deleted); false for any other change. */
    private static boolean sliceChange(StoredObject before, StoredObject after, Set<String> services) {
        for (StoredObject o : new StoredObject[] {before, after}) {
            if (o == null) {
                continue;
            }
            // A slice the watcher rejected is diagnosed: not an endpoint change.
            if (o.key().kind() != Kind.ENDPOINT_SLICE || !(o.state() instanceof EndpointSliceState s)) {
                return false;
            }
            if (s.serviceName() != null) {
                services.add(o.key().namespace() + "/" + s.serviceName());
            }
        }
        return true;
    }

    /** The last table with the backends of {@code services} built again. */
    private RoutingTable rebuild(ClusterModel model, Set<String> services) {
        Backends backends = new Backends(model, services);
        List<Backend> list = new ArrayList<>(last.backends().size());
        for (Backend b : last.backends()) {
            list.add(Backends.named(services, b.namespace(), b.service()) ? backends.rebuild(b) : b);
        }
        return new RoutingTable(last.virtualHosts(), last.defaultBackend(), list, last.tls(), last.ingresses(),
                last.diagnostics());
    }

    /**
     * What routing reads of each cluster's state: everything but the latest leader epoch, and the last heartbeat only
     * of a stale cluster (its diagnostic quotes it), so heartbeats alone do not force a whole compile.
     */
    private static Map<String, ClusterSync> routingView(Map<String, ClusterSync> clusters) {
        Map<String, ClusterSync> view = new HashMap<>();
        clusters.forEach((id, s) -> view.put(id, new ClusterSync(s.transactional(), s.syncedEpoch(), 0,
                s.stale() ? s.lastHeartbeat() : null, s.stale(), s.keepStale(), s.removed())));
        return view;
    }
}
