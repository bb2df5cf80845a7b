package dev.signalbox.launcher;

import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --version N | --at T}: which snapshot a question is about (a picocli argument group). */
final class SnapshotChoice {
    @Option(names = "--version", paramLabel = "N", description = "The snapshot with this version.")
    Long version;

    @Option(names = "--at", paramLabel = "T",
            description = "The snapshot in force at this time: RFC 3339 (2026-12-04T13:02:00Z) or an age (10m, 2h, 3d).")
    String at;

    /** The chosen snapshot (the latest when {@code choice} is null), or empty with a message on stderr. */
    static Optional<Entry> pick(SnapshotChoice choice, AuditLog log, AuditOptions o) {
        if (choice == null || (choice.version == null && choice.at == null)) {
            Optional<Entry> e = log.latest();
            if (e.isEmpty()) {
                o.message("signalbox: the snapshots topic holds no snapshot yet");
            }
            return e;
        }
        if (choice.version != null) {
            Optional<Entry> e = log.version(choice.version);
            if (e.isEmpty()) {
                o.message("signalbox: no snapshot with version " + choice.version + " in the snapshots topic"
                        + oldest(log));
            }
            return e;
        }
        Instant t = o.time("--at", choice.at);
        Optional<Entry> e = log.inForceAt(t);
        if (e.isEmpty()) {
            o.message("signalbox: no snapshot was in force at " + t + oldest(log));
        }
        return e;
    }

    private static String oldest(AuditLog log) {
        long begin = log.snapshots().beginningOffset(AuditLog.TIMEOUT);
        return log.snapshots().read(begin, log.snapshots().endOffset(AuditLog.TIMEOUT), 1, AuditLog.TIMEOUT).stream()
                .findFirst().map(e -> " (the oldest retained is version " + e.snapshot().version() + ", published "
                        + e.publishedAt() + ")").orElse("");
    }
}
