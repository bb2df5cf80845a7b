package dev.signalbox.snapshotlog;

import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.SnapshotAssembler;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the snapshots topic: finds the latest complete snapshot at start, then follows new ones. Used by
 * proxies (to serve), by the compiler (to continue the version sequence) and by the watcher's status
 * reporter. A record that cannot be decoded is logged, counted in this reader's {@link #decodeFailures()} and
 * skipped. Not thread-safe, except {@link #decodeFailures()} and {@link #wakeup()}: one instance per consuming
 * thread. {@link SnapshotWriter} writes what this reads.
 */
public final class SnapshotLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotLog.class);
    public static final TopicPartition PARTITION = new TopicPartition(Topics.SNAPSHOTS, 0);

    private final Consumer<byte[], byte[]> consumer;
    private final SnapshotAssembler assembler = new SnapshotAssembler();
    private final AtomicLong decodeFailures = new AtomicLong();

    public SnapshotLog(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        consumer.assign(List.of(PARTITION));
    }

    /** A consumer that needs no group: it is assigned the partition and never commits. */
    public static SnapshotLog connect(String bootstrapServers, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // Only snapshots whose transaction committed exist; chunks of an aborted one must never be seen.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Readers track their own position; no group, nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A whole multi-chunk snapshot should arrive in few round trips.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
        // Snapshots are latency-critical: answer a fetch as soon as a byte is there, and poll often.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        // No JMX reporter: readers take the metrics they need from consumer.metrics() (the proxy's
        // /metrics); registering an MBean per metric costs a new proxy about a tenth of its start.
        p.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        return new SnapshotLog(new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /**
     * Finds the latest complete snapshot and leaves the reader positioned after it. Reads a growing window
     * back from the end until one complete snapshot is inside it.
     */
    public Optional<RoutingSnapshot> latest(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long begin = consumer.beginningOffsets(List.of(PARTITION), timeout).get(PARTITION);
        long end = consumer.endOffsets(List.of(PARTITION), timeout).get(PARTITION);
        long window = 64;
        while (true) {
            long start = Math.max(begin, end - window);
            consumer.seek(PARTITION, start);
            RoutingSnapshot found = null;
            while (consumer.position(PARTITION) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("reading the snapshots topic");
                }
                for (RoutingSnapshot s : decode(consumer.poll(Duration.ofMillis(200)).records(PARTITION))) {
                    found = s;
                }
            }
            if (found != null || start == begin) {
                return Optional.ofNullable(found);
            }
            window *= 4;
        }
    }

    /** Reads from the oldest retained snapshot on: for audit and replay ("what was routing at time T"). */
    public void seekToBeginning() {
        consumer.seekToBeginning(List.of(PARTITION));
    }

    /** Snapshots completed by records that arrived within {@code timeout}, in version order. */
    public List<RoutingSnapshot> poll(Duration timeout) {
        return decode(consumer.poll(timeout).records(PARTITION));
    }

    private List<RoutingSnapshot> decode(List<ConsumerRecord<byte[], byte[]>> records) {
        List<RoutingSnapshot> out = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                Optional<byte[]> whole = assembler.accept(SnapshotRecords.chunk(r.headers(), r.value()));
                if (whole.isPresent()) {
                    out.add(SnapshotCodec.decode(whole.get()));
                }
            } catch (IOException | RuntimeException e) {
                decodeFailures.incrementAndGet();
                LOG.warn("skipping undecodable snapshot record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
        return out;
    }

    /** Records this reader skipped because they could not be decoded; read from any thread (a proxy's /metrics). */
    public long decodeFailures() {
        return decodeFailures.get();
    }

    public void wakeup() {
        consumer.wakeup();
    }

    public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() {
        return consumer.metrics();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
