package dev.signalbox.launcher;

import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.routing.audit.Fleet;
import dev.signalbox.schemas.ack.ProxyAck;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/ingress fleet}: the proxies as their acknowledgements tell it, and how fast versions reached them. */
@Command(name = "fleet", header = "Proxy nodes, the versions they serve, and propagation times.",
        showDefaultValues = true, sortOptions = false,
        description = "Every proxy node that reported in since --since: the version it serves and since when, whether "
            + "it is ready, when it was last heard of, and the last version it rejected. Nodes silent for longer than "
            + "--gone-after-ms are shown as gone, nodes that said they stopped as stopped. For each version published "
            + "since then: when the last proxy had it, how many had it, and p50/p99 of publication to the last proxy.")
final class FleetCommand implements Callable<Integer> {
    @Mixin
    AuditOptions audit;

    // Not mixinStandardHelpOptions: its -V/--version would clash with --version N.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--since", defaultValue = "1h", paramLabel = "T", description = "Acknowledgements and versions from then on.")
    String since;

    @Option(names = "--gone-after-ms", defaultValue = "30000", paramLabel = "MS", converter = Port.Millis.class,
            description = "A node silent this long is gone (proxies send a heartbeat every 10 s).")
    Duration goneAfter;

    @Option(names = "--version", paramLabel = "N", description = "Only this version's propagation.")
    Long version;

    @Override
    public Integer call() {
        Instant from = audit.time("--since", since);
        return audit.run(log -> {
            List<ProxyAck> acks = log.acksSince(from);
            long start = log.snapshots().offsetAt(from, AuditLog.TIMEOUT);
            List<Fleet.Published> published = log.snapshots()
                    .read(start, log.snapshots().endOffset(AuditLog.TIMEOUT), Integer.MAX_VALUE, AuditLog.TIMEOUT).stream()
                    .filter(e -> version == null || e.snapshot().version() == version)
                    .map((Entry e) -> new Fleet.Published(e.snapshot().version(), e.publishedAt())).toList();
            Fleet.View view = Fleet.of(acks, published, audit.now(), goneAfter);
            if (audit.json()) {
                audit.printJson(view);
            } else {
                print(view);
            }
            return AuditOptions.DONE;
        });
    }

    private void print(Fleet.View v) {
        var out = audit.out();
        TextTable nodes = new TextTable("NODE", "CLUSTER", "ZONE", "STATE", "VERSION", "APPLIED", "READY", "LAST SEEN",
                "LAST REJECTED");
        v.nodes().forEach(n -> nodes.row(n.node(), n.cluster(), n.zone(), n.state(), n.version(), audit.when(n.appliedAt()), n.ready(),
                audit.when(n.lastSeen()), n.lastRejected()));
        nodes.print(out);
        out.println();
        TextTable versions = new TextTable("VERSION", "PUBLISHED", "ALL APPLIED", "NODES", "TO LAST PROXY");
        v.versions().forEach(x -> versions.row(x.version(), x.publishedAt(), x.allAppliedAt(),
                x.nodesApplied() + "/" + x.nodesTotal(), x.millisToLastProxy() == null ? "-" : x.millisToLastProxy() + " ms"));
        versions.print(out);
        out.println("publication to last proxy: p50 " + (v.p50Millis() == null ? "-" : v.p50Millis() + " ms") + ", p99 "
                + (v.p99Millis() == null ? "-" : v.p99Millis() + " ms") + " over " + v.versions().stream()
                .filter(x -> x.millisToLastProxy() != null).count() + " versions");
        out.flush();
    }
}
