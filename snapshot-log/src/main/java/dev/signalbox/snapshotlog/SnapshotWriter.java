package dev.signalbox.snapshotlog;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.SnapshotDeltaCodec;
import dev.signalbox.schemas.snapshot.SnapshotDelta;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

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

    /** {@link #send(RoutingSnapshot)} of a full snapshot already encoded (the compiler weighed its size). */
    public int sendFull(byte[] encoded, long version) {
        List<SnapshotChunk> chunks = SnapshotChunk.split(version, encoded, chunkBytes);
        for (SnapshotChunk c : chunks) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, 0, null, c.recordKey(), c.data(), SnapshotRecords.headers(c)));
        }
        return chunks.size();
    }

    /**
     * Sends a version as its changes against the previous one (issue 15) within the producer's open transaction;
     * returns how many chunks it took. {@link SnapshotLog} applies it to the previous version's table.
     */
    public int sendDelta(SnapshotDelta delta) {
        return sendDelta(SnapshotDeltaCodec.encode(delta), delta.version());
    }

    /** {@link #sendDelta(SnapshotDelta)} of a delta already encoded (the compiler weighed its size). */
    public int sendDelta(byte[] encoded, long version) {
        List<SnapshotChunk> chunks = SnapshotChunk.split(version, encoded, chunkBytes, true);
        for (SnapshotChunk c : chunks) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, 0, null, c.recordKey(), c.data(), SnapshotRecords.headers(c)));
        }
        return chunks.size();
    }

    /** Writes the delta in a transaction of its own and commits it (tests, tools). */
    public int publishDelta(SnapshotDelta delta) {
        producer.beginTransaction();
        int chunks = sendDelta(delta);
        producer.commitTransaction();
        return chunks;
    }

    /** Writes the snapshot in a transaction of its own and commits it; returns how many chunks it took. */
    public int publish(RoutingSnapshot snapshot) {
        producer.beginTransaction();
        int chunks = send(snapshot);
        producer.commitTransaction();
        return chunks;
    }

    /**
     * A writer with a transactional producer of its own, for tests and tools that publish whole snapshots
     * ({@link Publisher#publish}); closing it closes the producer.
     */
    public static Publisher publisher(String bootstrapServers, String transactionalId, int chunkBytes) {
        return publisher(KafkaConnection.of(bootstrapServers), transactionalId, chunkBytes);
    }

    /** {@link #publisher(String, String, int)} with the operator's client settings. */
    public static Publisher publisher(KafkaConnection kafka, String transactionalId, int chunkBytes) {
        Properties p = new Properties();
        // The chunks of a version go in one transaction, as the compiler writes them.
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.properties(p), new StringSerializer(),
                new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
        return new Publisher(producer, new SnapshotWriter(producer, chunkBytes));
    }

    /** A {@link SnapshotWriter} and the producer it owns. Used on one thread at a time. */
    public static final class Publisher implements AutoCloseable {
        private final Producer<String, byte[]> producer;
        private final SnapshotWriter writer;

        private Publisher(Producer<String, byte[]> producer, SnapshotWriter writer) {
            this.producer = producer;
            this.writer = writer;
        }

        /** {@link SnapshotWriter#publishDelta}. */
        public int publishDelta(SnapshotDelta delta) {
            return writer.publishDelta(delta);
        }

        /** {@link SnapshotWriter#publish}. */
        public int publish(RoutingSnapshot snapshot) {
            return writer.publish(snapshot);
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
