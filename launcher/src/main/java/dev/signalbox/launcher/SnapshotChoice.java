package dev.signalbox.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.compiler.kafka.Replay;
import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.SourceOffset;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.time.Instant;
import java.util.List;
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

    /**
     * What {@link #pickOrRecompile} found: a kept snapshot ({@code recompiled} null), or a table recompiled from
     * the events up to {@code at} because no snapshot of that time is kept any more (retention); then the
     * entry's snapshot has a placeholder version (the version in force then is not known without its record,
     * and the commands print null), createdAt
     * {@code at}, the fold's offsets as provenance, and no offsets in the snapshots topic.
     */
    record Picked(Entry entry, Replay.AtTime recompiled, Instant at) {
        boolean isRecompiled() {
            return recompiled != null;
        }

        /** The JSON fields that say the table was recompiled (added to show's and explain's documents). */
        void describe(ObjectNode doc) {
            doc.put("recompiledFromEvents", isRecompiled());
            if (isRecompiled()) {
                doc.putNull("version");
                if (doc.has("previousVersion")) {
                    doc.putNull("previousVersion");
                }
                doc.put("at", at.toString());
                doc.set("eventOffsets", offsets(recompiled.provenance()));
                doc.set("eventOffsetsByTime", offsets(recompiled.byTime()));
                doc.put("heldBackRecords", recompiled.heldBack());
            }
        }

        /**
         * {@code diff}'s fields for one side ({@code side} "from" or "to"): null for its version when recompiled,
         * {@code <side>RecompiledFromEvents}, and when recompiled {@code <side>At} and {@code <side>EventOffsets}.
         */
        void describeSide(ObjectNode doc, String side) {
            doc.put(side + "RecompiledFromEvents", isRecompiled());
            if (isRecompiled()) {
                doc.putNull(side);
                doc.put(side + "At", at.toString());
                doc.set(side + "EventOffsets", offsets(recompiled.provenance()));
                doc.put(side + "HeldBackRecords", recompiled.heldBack());
            }
        }

        private static ObjectNode offsets(List<SourceOffset> offsets) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            offsets.forEach(s -> o.put(String.valueOf(s.partition()), s.nextOffset()));
            return o;
        }
    }

    /**
     * As {@link #pick}, except that for {@code --at} a time older than every snapshot still kept (the snapshots
     * topic keeps 30 days, the events topic everything), the table is recompiled from the events published up
     * to then, said on stderr.
     */
    static Optional<Picked> pickOrRecompile(SnapshotChoice choice, AuditLog log, AuditOptions o) {
        if (choice == null || choice.at == null) {
            return pick(choice, log, o).map(e -> new Picked(e, null, null));
        }
        Instant t = o.time("--at", choice.at);
        Optional<Entry> e = log.inForceAt(t);
        if (e.isPresent()) {
            return Optional.of(new Picked(e.get(), null, t));
        }
        Optional<Entry> oldest = oldestEntry(log);
        if (oldest.isEmpty() || oldest.get().snapshot().version() == 1) {
            // Nothing was deleted: there was no snapshot yet at that time.
            o.message("signalbox: no snapshot was in force at " + t + oldest(log));
            return Optional.empty();
        }
        Replay.AtTime r = Replay.tableAtTime(o.kafka.connection(), t, AuditLog.TIMEOUT);
        Entry old = oldest.get();
        o.message("signalbox: no snapshot of " + t + " is kept (oldest: version " + old.snapshot().version()
                + " published " + old.publishedAt() + "); recompiled from the events up to " + t + " (events topic offsets "
                + r.provenance().stream().map(s -> s.partition() + "@" + s.nextOffset()).toList() + ")"
                + (r.heldBack() == 0 ? "" : "; " + r.heldBack() + " records before then left out: their watcher "
                + "transaction was not whole yet"));
        // Version 1 is a placeholder (a snapshot needs one): the commands print no version for a recompiled table.
        return Optional.of(new Picked(new Entry(SnapshotCodec.create(1, t, r.provenance(), r.table()), -1, -1, null), r, t));
    }

    private static Optional<Entry> oldestEntry(AuditLog log) {
        long begin = log.snapshots().beginningOffset(AuditLog.TIMEOUT);
        return log.snapshots().read(begin, log.snapshots().endOffset(AuditLog.TIMEOUT), 1, AuditLog.TIMEOUT).stream()
                .findFirst();
    }

    private static String oldest(AuditLog log) {
        long begin = log.snapshots().beginningOffset(AuditLog.TIMEOUT);
        return log.snapshots().read(begin, log.snapshots().endOffset(AuditLog.TIMEOUT), 1, AuditLog.TIMEOUT).stream()
                .findFirst().map(e -> " (the oldest retained is version " + e.snapshot().version() + ", published "
                        + e.publishedAt() + ")").orElse("");
    }
}
