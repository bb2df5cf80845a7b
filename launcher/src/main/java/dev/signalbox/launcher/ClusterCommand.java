package dev.signalbox.launcher;

import dev.signalbox.compiler.kafka.Replay;
import dev.signalbox.compiler.model.ClusterDirectory;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.watcher.kafka.TransactionalPublisher;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/ingress cluster list|remove}: the clusters that publish into one events log (issue 14). Both fold the
 * whole log ({@link Replay#modelAtEnd}) and call the pure {@link ClusterDirectory}. Exit status: 0 done, 1 refused
 * (remove), 2 usage, 3 Kafka unreachable.
 */
@Command(name = "cluster", header = "Lists the clusters of the events log, or removes a decommissioned one.",
        mixinStandardHelpOptions = true, synopsisSubcommandLabel = "list | remove",
        description = {"The clusters whose watchers publish into the events topic: their liveness, objects and leader epoch.",
            "Exit status: 0 done, 1 refused, 2 usage, 3 Kafka unreachable."},
        subcommands = {ClusterCommand.ListClusters.class, ClusterCommand.Remove.class})
final class ClusterCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "list or remove is required");
    }

    /** One cluster as printed (JSON: this record per cluster). */
    record Row(String id, String state, java.time.Instant lastHeartbeat, int objects, long leaderEpoch) {
    }

    @Command(name = "list", header = "The clusters of the events log.", mixinStandardHelpOptions = true,
            description = "Every cluster the events log speaks of: live (heartbeats), stale (recorded by the compiler),"
                    + " no-heartbeat (an older watcher) or awaiting-sync; its last heartbeat, live objects and leader epoch.")
    static final class ListClusters implements Callable<Integer> {
        @Mixin
        AuditOptions audit;

        @Override
        public Integer call() {
            return audit.run(log -> {
                ClusterModel model = Replay.modelAtEnd(audit.kafka.connection(), AuditLog.TIMEOUT);
                List<Row> rows = ClusterDirectory.list(model).stream()
                        .map(c -> new Row(c.id(), c.state(), c.lastHeartbeat(), c.objects(), c.leaderEpoch())).toList();
                if (audit.json()) {
                    audit.printJson(Map.of("clusters", rows));
                } else {
                    TextTable t = new TextTable("CLUSTER", "STATE", "LAST HEARTBEAT", "OBJECTS", "LEADER EPOCH");
                    rows.forEach(r -> t.row(r.id(), r.state(), audit.when(r.lastHeartbeat()), r.objects(), r.leaderEpoch()));
                    t.print(audit.out());
                    audit.out().flush();
                }
                return AuditOptions.DONE;
            });
        }
    }

    @Command(name = "remove", header = "Withdraws every object of a decommissioned cluster.", mixinStandardHelpOptions = true,
            description = {"Writes a DELETE event for every object of the cluster and a ClusterLiveness REMOVED record, in one"
                    + " transaction under the cluster's watcher transactional id (fencing a stray producer of it), so history"
                    + " shows what went and the compiler withdraws it like any deletion.",
                "Refused while the cluster is live: a running watcher would publish everything again at its next takeover."
                    + " Stop the watcher, wait until `cluster list` shows it stale, then remove it (or --force)."})
    static final class Remove implements Callable<Integer> {
        @Mixin
        AuditOptions audit;

        @Parameters(index = "0", paramLabel = "ID", description = "The cluster id.")
        String id;

        @Option(names = "--force", description = "Remove even though the compiler has not recorded the cluster stale.")
        boolean force;

        @Override
        public Integer call() {
            return audit.run(log -> {
                ClusterModel model = Replay.modelAtEnd(audit.kafka.connection(), AuditLog.TIMEOUT);
                Optional<String> refused = ClusterDirectory.refusal(model, id, force);
                if (refused.isPresent()) {
                    audit.message("signalbox: not removing: " + refused.get());
                    return AuditOptions.NEGATIVE;
                }
                List<EventLogRecord> records = ClusterDirectory.removal(model, id, audit.now(),
                        "removed by bin/ingress cluster remove" + (force ? " --force" : ""));
                // The watcher's own transactional id: initTransactions() fences a stray producer of the cluster and
                // aborts its open transaction, so nothing of it can land after the removal.
                try (TransactionalPublisher p = TransactionalPublisher.open(audit.kafka.connection(), id, new AtomicLong())) {
                    p.publishNow(records);
                }
                int deleted = records.size() - 1;
                if (audit.json()) {
                    audit.printJson(Map.of("cluster", id, "deletedObjects", deleted));
                } else {
                    audit.out().println("cluster " + id + " removed: " + deleted + " objects deleted");
                    audit.out().flush();
                }
                return AuditOptions.DONE;
            });
        }
    }
}
