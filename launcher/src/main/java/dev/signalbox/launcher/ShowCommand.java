package dev.signalbox.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.routing.RoutesDocument;
import dev.signalbox.routing.audit.TableDiff;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/ingress show}: the routing table in force at a version or a time. */
@Command(name = "show", header = "The routing table of a version, or in force at a time.",
        showDefaultValues = true, sortOptions = false,
        description = "Prints the routing table of snapshot N (--version) or the one in force at T (--at), found without "
            + "scanning the log. JSON: the document a proxy's /routes serves (version, createdAt, hash, table), "
            + "plus publishedAt and recompiledFromEvents. For a time older than every snapshot still kept (the snapshots "
            + "topic keeps 30 days), the table is recompiled from the events published up to then (kept forever), cut at "
            + "whole watcher transactions, and said so on stderr; JSON: recompiledFromEvents true, version null, the "
            + "events topic's offsets. Exit 1 when there is no such snapshot.")
final class ShowCommand implements Callable<Integer> {
    @Mixin
    AuditOptions audit;

    // Not mixinStandardHelpOptions: its -V/--version would clash with --version N (the snapshot version).
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @ArgGroup(exclusive = true, multiplicity = "1")
    SnapshotChoice choice;

    @Option(names = "--host", paramLabel = "H", description = "Only the virtual hosts that serve this host, and their TLS binding.")
    String host;

    @Override
    public Integer call() {
        return audit.run(log -> {
            Optional<SnapshotChoice.Picked> p = SnapshotChoice.pickOrRecompile(choice, log, audit);
            if (p.isEmpty()) {
                return AuditOptions.NEGATIVE;
            }
            Entry e = p.get().entry();
            RoutingSnapshot s = host == null ? e.snapshot() : onlyHost(e.snapshot(), host);
            if (audit.json()) {
                ObjectNode doc = RoutesDocument.tree(s, List.of());
                if (e.publishedAt() == null) {
                    doc.putNull("publishedAt");
                } else {
                    doc.put("publishedAt", e.publishedAt().toString());
                }
                p.get().describe(doc);
                audit.printJson(doc);
            } else {
                print(s, p.get());
            }
            return AuditOptions.DONE;
        });
    }

    /** The snapshot with only the virtual hosts (and TLS bindings) covering {@code host}; the rest as recorded. */
    static RoutingSnapshot onlyHost(RoutingSnapshot s, String host) {
        RoutingTable t = s.table();
        List<VirtualHost> hosts = t.virtualHosts().stream().filter(vh -> TableDiff.servesHost(vh.host(), host)).toList();
        RoutingTable filtered = new RoutingTable(hosts, t.defaultBackend(), t.backends(),
                t.tls().stream().filter(b -> TableDiff.servesHost(b.host(), host)).toList(), t.ingresses(), t.diagnostics());
        return new RoutingSnapshot(s.formatVersion(), s.version(), s.previousVersion(), s.createdAt(), s.provenance(),
                s.contentHash(), filtered);
    }

    private void print(RoutingSnapshot s, SnapshotChoice.Picked picked) {
        var out = audit.out();
        if (picked.isRecompiled()) {
            out.println("recompiled from the events up to " + picked.at() + " (no snapshot of then is kept)  " + s.contentHash());
        } else {
            out.println("version " + s.version() + "  published " + audit.when(picked.entry().publishedAt()) + "  created "
                    + s.createdAt() + "  " + s.contentHash());
        }
        Map<String, Backend> backends = s.table().backends().stream().collect(Collectors.toMap(Backend::id, Function.identity()));
        TextTable rows = new TextTable("HOST", "PATH", "TYPE", "BACKEND", "ENDPOINTS", "INGRESS");
        for (VirtualHost vh : s.table().virtualHosts()) {
            for (Route r : vh.routes()) {
                Backend b = backends.get(r.backend());
                rows.row(vh.host(), r.path(), r.match() + (r.httpsRedirect() ? ",https" : ""), r.backend(),
                        b.endpoints().isEmpty() ? "none (503)" : b.endpoints().stream()
                                .map(p -> p.address() + ":" + p.port()).collect(Collectors.joining(",")), r.source());
            }
        }
        rows.print(out);
        if (s.table().defaultBackend() != null) {
            out.println("default backend: " + s.table().defaultBackend());
        }
        s.table().tls().forEach(t -> out.println("tls: " + t.host() + " <- secret " + t.secret()));
        s.table().diagnostics().forEach(d -> out.println(d.severity() + " " + d.cluster() + "/" + d.kind() + "/"
                + d.namespace() + "/" + d.name() + ": " + d.message()));
        out.flush();
    }
}
