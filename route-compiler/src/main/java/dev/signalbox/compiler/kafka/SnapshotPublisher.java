package dev.signalbox.compiler.kafka;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.SnapshotDeltaCodec;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SnapshotDelta;
import dev.signalbox.snapshotlog.SnapshotWriter;

/**
 * Sends each new version whole or as a delta against the one before ({@link SnapshotPlan}), remembering what it
 * needs for the next decision: the previous version's table and the last full snapshot. A delta is sent only when
 * it rebuilds this version's table exactly (checked here, before any reader sees it). One per compiler life, used
 * on its loop's thread; what it remembers changes only when the caller says the transaction committed.
 */
final class SnapshotPublisher {
    private final SnapshotPlan plan;
    private RoutingTable lastTable;
    private long lastFullVersion;
    private long lastFullBytes;
    private Sent pending;

    SnapshotPublisher(SnapshotPlan plan) {
        this.plan = plan;
    }

    /** How a version went out: its form and its encoded size. */
    record Sent(RoutingSnapshot snapshot, SnapshotPlan.Form form, int bytes, int chunks) {
    }

    /** Sends {@code snapshot} into the writer's open transaction. */
    Sent send(SnapshotWriter writer, RoutingSnapshot snapshot) {
        byte[] delta = null;
        if (lastTable != null && lastFullVersion > 0) {
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

    /** The transaction with the last {@link #send} committed: its version is the base of the next delta. */
    void committed() {
        if (pending == null) {
            return;
        }
        lastTable = pending.snapshot().table();
        if (pending.form() == SnapshotPlan.Form.FULL) {
            lastFullVersion = pending.snapshot().version();
            lastFullBytes = pending.bytes();
        }
        pending = null;
    }
}
