package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.TransactionMark;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Recompiles the routing table a snapshot claims to come from, straight from the events log: given a
 * snapshot's provenance, folds exactly those events and compiles them. Answers "what was routing at
 * time T, and why" and proves a snapshot: the replayed table hashes the same.
 */
public final class Replay {
    private Replay() {
    }

    public static RoutingTable tableAt(String bootstrapServers, List<SourceOffset> provenance) {
        return tableAt(KafkaConnection.of(bootstrapServers), provenance);
    }

    /** {@link #tableAt(String, List)} with the operator's client settings. */
    public static RoutingTable tableAt(KafkaConnection kafka, List<SourceOffset> provenance) {
        ClusterModel model = new ClusterModel();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            Map<TopicPartition, Long> until = new HashMap<>();
            provenance.forEach(s -> until.put(new TopicPartition(s.topic(), s.partition()), s.nextOffset()));
            consumer.assign(until.keySet());
            EventFold.foldUntil(consumer, until, model);
        }
        return Isolation.compile(model);
    }

    /**
     * The table the events imply at {@code time}: for a time older than every snapshot still kept (the events
     * are kept forever, the snapshots are not).
     *
     * @param table         the compiled table
     * @param provenance    where the fold stopped in each partition of the events topic
     * @param byTime        each partition's first offset published after {@code time} (its end when none is)
     * @param heldBack      records before {@code byTime} left out because their watcher transaction has records
     *                      after it (it was not whole at {@code time})
     * @param peakHeld      the most records read but not yet folded at any moment (the memory the fold took)
     */
    public record AtTime(RoutingTable table, List<SourceOffset> provenance, List<SourceOffset> byTime, int heldBack,
                         int peakHeld) {
    }

    /**
     * Records a partition may hold, read but not folded, before it waits for the others to catch up: a
     * transaction's records may lie in several partitions, and one partition read far ahead of another holds
     * everything after its open transaction.
     */
    static final int HOLD_BOUND = 10_000;

    public static AtTime tableAtTime(String bootstrapServers, Instant time, Duration timeout) {
        return tableAtTime(KafkaConnection.of(bootstrapServers), time, timeout);
    }

    /**
     * Folds every event published at or before {@code time} and compiles them, cut at whole watcher
     * transactions (issue 21): a partition's cut by time (offsetsForTimes, the broker's time index) may fall
     * inside a transaction whose other records lie after the cut, here or in another partition; such a
     * transaction was not committed at {@code time}, so it and everything after it in its partitions are left
     * out ({@link TransactionBoundary}, as the compiler cuts). The log is folded as it is read: whole
     * transactions at the front of every partition are folded after each poll and dropped, so memory holds
     * the open transactions and what follows them ({@link #HOLD_BOUND} per partition while another partition
     * can still close them), never the whole log.
     */
    public static AtTime tableAtTime(KafkaConnection kafka, Instant time, Duration timeout) {
        return tableAtTime(kafka, time, timeout, HOLD_BOUND);
    }

    /** A record read and not yet folded: its offset, its event (empty when undecodable) and its transaction. */
    private record Held(Optional<EventLogRecord> event, TransactionBoundary.Pending pending) {
    }

    static AtTime tableAtTime(KafkaConnection kafka, Instant time, Duration timeout, int holdBound) {
        ClusterModel model = new ClusterModel();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = eventPartitions(consumer, timeout);
            Map<TopicPartition, Long> query = new HashMap<>();
            // The first record published after the time: everything before it was published at or before.
            partitions.forEach(tp -> query.put(tp, time.toEpochMilli() + 1));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> until = new HashMap<>();
            partitions.forEach(tp -> until.put(tp, found.get(tp) == null ? ends.get(tp) : found.get(tp).offset()));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ArrayDeque<Held>> held = new ArrayList<>();
            partitions.forEach(tp -> held.add(new ArrayDeque<>()));
            int peak = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<TopicPartition> behind = new ArrayList<>();
                List<TopicPartition> fetch = new ArrayList<>();
                for (int i = 0; i < partitions.size(); i++) {
                    TopicPartition tp = partitions.get(i);
                    if (consumer.position(tp) < until.get(tp)) {
                        behind.add(tp);
                        if (held.get(i).size() < holdBound) {
                            fetch.add(tp);
                        }
                    }
                }
                if (behind.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("reading the events topic up to " + time);
                }
                // A partition holding its bound waits for the others, which may close its open transaction; when
                // every one behind holds its bound (a transaction bigger than the bound), all read on.
                List<TopicPartition> reading = fetch.isEmpty() ? behind : fetch;
                consumer.pause(partitions.stream().filter(tp -> !reading.contains(tp)).toList());
                consumer.resume(reading);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < until.get(tp)) {
                        held.get(partitions.indexOf(tp)).addLast(held(r));
                    }
                }
                peak = Math.max(peak, held.stream().mapToInt(ArrayDeque::size).sum());
                foldWhole(model, held);
            }
            // Every record before the time cut was read: a transaction still open has records after it.
            List<SourceOffset> provenance = new ArrayList<>();
            List<SourceOffset> byTime = new ArrayList<>();
            int heldBack = 0;
            for (int i = 0; i < partitions.size(); i++) {
                TopicPartition tp = partitions.get(i);
                ArrayDeque<Held> h = held.get(i);
                heldBack += h.size();
                long next = h.isEmpty() ? until.get(tp) : h.peekFirst().pending().offset();
                provenance.add(new SourceOffset(tp.topic(), tp.partition(), next));
                byTime.add(new SourceOffset(tp.topic(), tp.partition(), until.get(tp)));
            }
            return new AtTime(Isolation.compile(model), provenance, byTime, heldBack, peak);
        }
    }

    private static Held held(ConsumerRecord<byte[], byte[]> r) {
        Optional<EventLogRecord> e = EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(), r.value(), () -> { });
        // An undecodable record still counts in its transaction, as the compiler counts it.
        Optional<TransactionMark> mark = e.isPresent() ? Optional.ofNullable(e.get().transaction())
                : EventLogCodec.transactionOf(r.value());
        return new Held(e, mark.map(m -> new TransactionBoundary.Pending(r.offset(), m.id(), m.records()))
                .orElse(TransactionBoundary.Pending.alone(r.offset())));
    }

    /**
     * Folds the whole transactions at the front of every partition and drops them. What is whole now stays
     * whole as more is read (records are only appended), so folding it early cuts where one cut at the end
     * would.
     */
    private static void foldWhole(ClusterModel model, List<ArrayDeque<Held>> held) {
        List<List<TransactionBoundary.Pending>> pending = new ArrayList<>();
        held.forEach(h -> pending.add(h.stream().map(Held::pending).toList()));
        int[] cut = TransactionBoundary.applicable(pending, Set.of());
        for (int i = 0; i < held.size(); i++) {
            for (int n = 0; n < cut[i]; n++) {
                held.get(i).pollFirst().event().ifPresent(e -> EventFold.apply(model, e));
            }
        }
    }

    /**
     * The model of the whole committed log, every partition read to its end: what {@code bin/ingress cluster
     * list|remove} read (the clusters, their liveness, their objects).
     */
    public static ClusterModel modelAtEnd(KafkaConnection kafka, Duration timeout) {
        ClusterModel model = new ClusterModel();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = eventPartitions(consumer, timeout);
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.EVENTS + " does not exist");
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            consumer.assign(partitions);
            EventFold.foldUntil(consumer, end, model);
        }
        return model;
    }

    /** The events topic's partitions in partition order; none when the topic does not exist. */
    static List<TopicPartition> eventPartitions(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.EVENTS, timeout);
        if (infos != null) {
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        partitions.sort(Comparator.comparingInt(TopicPartition::partition));
        return partitions;
    }

    /** A group-less reader of committed events, as replays ({@link ReplayCursor} too) read the log. */
    static KafkaConsumer<byte[], byte[]> consumer(KafkaConnection kafka) {
        Properties p = new Properties();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "signalbox-replay");
        // Replay sees what the compiler saw: committed events only.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A reader with no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Replay reads the whole log: take big bites.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return new KafkaConsumer<>(kafka.properties(p), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
