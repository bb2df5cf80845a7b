package dev.signalbox.snapshotlog;

import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes snapshots to the snapshots topic as {@link SnapshotLog} reads them: encoded, split into chunks of
 * at most {@code chunkBytes}, keyed by the zero-padded version, on partition 0, the chunk's place in the
 * headers. The chunks of a snapshot must be in one transaction, so that a read_committed reader sees all or
 * none: {@link #send} writes into the caller's open transaction (the compiler adds its offsets and checkpoint
 * to it); {@link #publish} is a transaction of its own (tests, tools). Used on the producer's thread only.
 */
public final class SnapshotWriter {
    private final Producer<String, byte[]> producer;
    private final int chunkBytes;

    /** @param producer a transactional producer whose {@code initTransactions()} has been called */
    public SnapshotWriter(Producer<String, byte[]> producer, int chunkBytes) {
        this.producer = producer;
        this.chunkBytes = chunkBytes;
    }

    /** Sends the snapshot's chunks within the producer's open transaction; returns how many there were. */
    public int send(RoutingSnapshot snapshot) {
        return send(snapshot, null);
    }

    /**
     * {@link #send(RoutingSnapshot)} with the records' timestamp (epoch milliseconds) set instead of now: for
     * generators of history (the audit benchmark writes 100,000 versions spread over past days).
     */
    public int send(RoutingSnapshot snapshot, Long timestampMillis) {
        List<SnapshotChunk> chunks = SnapshotChunk.split(snapshot.version(), SnapshotCodec.encode(snapshot), chunkBytes);
        for (SnapshotChunk c : chunks) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, 0, timestampMillis, c.recordKey(), c.data(),
                    SnapshotRecords.headers(c)));
        }
        return chunks.size();
    }

    /** Writes the snapshot in a transaction of its own and commits it; returns how many chunks it took. */
    public int publish(RoutingSnapshot snapshot) {
        producer.beginTransaction();
        int chunks = send(snapshot);
        producer.commitTransaction();
        return chunks;
    }
}
