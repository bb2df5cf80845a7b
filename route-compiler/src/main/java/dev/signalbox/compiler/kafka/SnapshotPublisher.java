package dev.signalbox.compiler.kafka;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.SnapshotDeltaCodec;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SnapshotDelta;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.snapshotlog.SnapshotWriter;

/**
 * Sends each new version whole or as a delta against the one before ({@link SnapshotPlan}), remembering what it
 * needs for the next decision: the previous version's table and the last full snapshot. A delta is sent only when
 * it rebuilds this version's table exactly (checked here, before any reader sees it) and its base is the version
 * just before: one this publisher sent, or the latest one its compiler read from the topic ({@link #follow}). One per compiler loop, used
 * on its loop's thread; what it remembers changes only when the caller says the transaction committed.
 */
final class SnapshotPublisher {
    private final SnapshotPlan plan;
    private RoutingTable lastTable;
    /** The version of {@link #lastTable}: a delta is only ever against the version just before the new one. */
    private long lastVersion;
    private long lastFullVersion;
    private long lastFullBytes;
    private Sent pending;

    SnapshotPublisher(SnapshotPlan plan) {
        this.plan = plan;
    }

    /** How a version went out: its form and its encoded size. */
    record Sent(RoutingSnapshot snapshot, SnapshotPlan.Form form, int bytes, int chunks) {
    }

    /** Sends {@code snapshot} into the writer's open transaction, whole when {@code whole} (asked for) or as planned. */
    Sent send(SnapshotWriter writer, RoutingSnapshot snapshot, boolean whole) {
        byte[] delta = null;
        // Another compiler may have published since this one did (a standby that took over again): then whole.
        if (!whole && lastTable != null && lastFullVersion > 0 && lastVersion == snapshot.previousVersion()) {
            SnapshotDelta d = SnapshotDeltaCodec.between(lastTable, snapshot);
            if (d.changes().applyTo(lastTable).equals(snapshot.table())) {
                delta = SnapshotDeltaCodec.encode(d);
            }
        }
        SnapshotPlan.Form form = plan.decide(snapshot.version(), lastFullVersion, delta == null ? -1 : delta.length,
                lastFullBytes);
        Sent sent;
        if (form == SnapshotPlan.Form.DELTA) {
            sent = new Sent(snapshot, form, delta.length, writer.sendDelta(delta, snapshot.version()));
        } else {
            byte[] full = SnapshotCodec.encode(snapshot);
            sent = new Sent(snapshot, form, full.length, writer.sendFull(full, snapshot.version()));
        }
        pending = sent;
        return sent;
    }

    /**
     * The latest version in the topic, as a reader of it found it (published by another compiler, or by this one
     * in an earlier life), and the full snapshot its readers' chain starts from: the next version can be a delta
     * against it instead of a whole table (a restart's or a takeover's first version, issue 15). Ignored while a
     * send is not committed.
     */
    void follow(RoutingSnapshot latest, SnapshotLog.ChainBase base) {
        if (pending != null) {
            return;
        }
        lastTable = latest.table();
        lastVersion = latest.version();
        lastFullVersion = base.version();
        lastFullBytes = base.bytes();
    }

    /** The transaction with the last {@link #send} committed: its version is the base of the next delta. */
    void committed() {
        if (pending == null) {
            return;
        }
        lastTable = pending.snapshot().table();
        lastVersion = pending.snapshot().version();
        if (pending.form() == SnapshotPlan.Form.FULL) {
            lastFullVersion = pending.snapshot().version();
            lastFullBytes = pending.bytes();
        }
        pending = null;
    }
}
