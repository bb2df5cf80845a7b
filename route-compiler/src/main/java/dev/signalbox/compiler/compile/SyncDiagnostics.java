package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster whose watcher writes but whose initial list is not in the log gets a diagnostic: the compiler
 * published without waiting for it any longer (issue 21), so its part of the table may be incomplete.
 * A cluster the compiler recorded as stale (issue 14) gets one too.
 * Derived from the model alone (not from a clock), so a replay of the same events gives the same table.
 */
final class SyncDiagnostics {
    static final String KIND = Diagnostic.CLUSTER_KIND;

    private SyncDiagnostics() {
    }

    static RoutingTable add(RoutingTable table, ClusterModel model) {
        List<Diagnostic> extra = new ArrayList<>();
        model.clusters().forEach((id, sync) -> {
            if (sync.awaitingSync()) {
                extra.add(new Diagnostic(id, KIND, "", id, Diagnostic.Severity.WARNING, "the watcher of cluster " + id
                        + " has not recorded the end of its initial list (no sync marker in the events log); its"
                        + " objects may be incomplete"));
            }
            if (sync.stale() && !sync.removed()) {
                extra.add(new Diagnostic(id, KIND, "", id, Diagnostic.Severity.WARNING, "cluster " + id
                        + " is stale: the compiler recorded that no heartbeat came after " + sync.lastHeartbeat() + "; its"
                        + " endpoints are " + (sync.keepStale() ? "kept in merged Services, marked stale"
                        : "withdrawn from merged Services that another cluster serves") + " until its next heartbeat"));
            }
        });
        if (extra.isEmpty()) {
            return table;
        }
        Diagnostics all = new Diagnostics();
        table.diagnostics().forEach(all::add);
        extra.forEach(all::add);
        return new RoutingTable(table.virtualHosts(), table.defaultBackend(), table.backends(), table.tls(),
                table.ingresses(), all.sorted());
    }
}
