package dev.signalbox.launcher.local;

import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Local mode's console report of what Signalbox did not accept: follows the snapshots and prints each
 * diagnostic when it first appears and once more when it is resolved, not once per version. Runs on its
 * own thread.
 */
final class DiagnosticsPrinter implements AutoCloseable {
    /** What changed between two versions' diagnostics. */
    record Change(List<Diagnostic> added, List<Diagnostic> resolved) {
    }

    private final SnapshotLog log;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;

    private DiagnosticsPrinter(String bootstrap, PrintStream out) {
        this.log = SnapshotLog.connect(bootstrap, "signalbox-local-diagnostics");
        this.out = out;
        this.thread = new Thread(this::run, "local-diagnostics");
        this.thread.setDaemon(true);
    }

    static DiagnosticsPrinter start(String bootstrap, PrintStream out) {
        DiagnosticsPrinter p = new DiagnosticsPrinter(bootstrap, out);
        p.thread.start();
        return p;
    }

    static Change diff(List<Diagnostic> before, List<Diagnostic> after) {
        Set<Diagnostic> old = new LinkedHashSet<>(before);
        Set<Diagnostic> now = new LinkedHashSet<>(after);
        List<Diagnostic> added = new ArrayList<>(now);
        added.removeAll(old);
        List<Diagnostic> resolved = new ArrayList<>(old);
        resolved.removeAll(now);
        return new Change(List.copyOf(added), List.copyOf(resolved));
    }

    static String format(String prefix, long version, Diagnostic d) {
        if (d.kind().equals(Diagnostic.CLUSTER_KIND)) {
            // About a whole cluster (its initial list is missing), not an object: no kind or name to show.
            return "signalbox: " + prefix + " (version " + version + ") " + d.severity() + " cluster " + d.cluster() + ": "
                    + d.message();
        }
        String ns = d.namespace().isEmpty() ? "" : d.namespace() + "/";
        return "signalbox: " + prefix + " (version " + version + ") " + d.severity() + " " + d.kind() + " " + ns
                + d.name() + " [cluster " + d.cluster() + "]: " + d.message();
    }

    private void run() {
        List<Diagnostic> shown = List.of();
        try {
            List<RoutingSnapshot> next = new ArrayList<>();
            log.latest(Duration.ofSeconds(60)).ifPresent(next::add);
            while (running) {
                for (RoutingSnapshot s : next) {
                    Change c = diff(shown, s.table().diagnostics());
                    c.added().forEach(d -> out.println(format("problem", s.version(), d)));
                    c.resolved().forEach(d -> out.println(format("resolved", s.version(), d)));
                    shown = s.table().diagnostics();
                }
                next = log.poll(Duration.ofMillis(500));
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            log.close();
        }
    }

    @Override
    public void close() {
        running = false;
        log.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
