package dev.signalbox.watcher.kafka;

import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.Op;
import dev.signalbox.watcher.model.LogEntry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the committed events topic from the beginning to its current end and folds it into what the
 * log says about each key of one cluster. Used by a new leader, on its own thread, after
 * {@code initTransactions()} so that no earlier leader's transaction is still open.
 */
public final class EventLogReader {
    private EventLogReader() {
    }

    /** What the log says, per key of one cluster, and the highest leader epoch it has seen. */
    public record LogView(Map<ObjectKey, LogEntry> entries, long maxEpoch) {
        public LogView {
            entries = Map.copyOf(entries);
        }
    }

    public static LogView read(KafkaConnection kafka, String clusterId, Duration timeout) {
        Properties p = new Properties();
        // Only what leaders committed counts; an aborted transaction of a fenced leader never happened.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // No group: partitions are assigned by hand and every read starts at the beginning.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Name the reader after its cluster in broker logs and metrics.
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "signalbox-watcher-reconcile-" + clusterId);
        Map<ObjectKey, LogEntry> entries = new HashMap<>();
        long maxEpoch = -1;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.properties(p), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS, timeout).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            while (!caughtUp(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.EVENTS + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    EventLogRecord any = EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(), r.value(),
                            () -> { }).orElse(null);
                    if (any == null || !clusterId.equals(any.clusterId())) {
                        continue;
                    }
                    // A sync marker counts for the epoch (a takeover may have published nothing else).
                    maxEpoch = Math.max(maxEpoch, any.leaderEpoch());
                    if (!(any instanceof ClusterEvent e)) {
                        continue;
                    }
                    entries.put(e.key(), e.op() == Op.DELETE
                            ? LogEntry.tombstone(e.resourceVersion(), e.uid())
                            // An event of an older format is republished in the current one (no version matches).
                            : new LogEntry(e.formatVersion() < FormatVersion.CURRENT ? null : e.resourceVersion(),
                                    e.uid(), false, e.state()));
                }
            }
        }
        return new LogView(entries, maxEpoch);
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
