package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.TransactionMark;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        ClusterModel model = new ClusterModel();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
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
     */
    public record AtTime(RoutingTable table, List<SourceOffset> provenance, List<SourceOffset> byTime, int heldBack) {
    }

    /**
     * Folds every event published at or before {@code time} and compiles them, cut at whole watcher
     * transactions (issue 21): a partition's cut by time (offsetsForTimes, the broker's time index) may fall
     * inside a transaction whose other records lie after the cut, here or in another partition; such a
     * transaction was not committed at {@code time}, so it and everything after it in its partitions are left
     * out ({@link TransactionBoundary}, as the compiler cuts). Reads the log from its start up to the cut and
     * keeps it in memory until the cut is known: an audit question, not a path of the compiler.
     */
    public static AtTime tableAtTime(String bootstrapServers, Instant time, Duration timeout) {
        ClusterModel model = new ClusterModel();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo i : consumer.partitionsFor(Topics.EVENTS, timeout)) {
                partitions.add(new TopicPartition(i.topic(), i.partition()));
            }
            partitions.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
            Map<TopicPartition, Long> query = new HashMap<>();
            // The first record published after the time: everything before it was published at or before.
            partitions.forEach(tp -> query.put(tp, time.toEpochMilli() + 1));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> until = new HashMap<>();
            partitions.forEach(tp -> until.put(tp, found.get(tp) == null ? ends.get(tp) : found.get(tp).offset()));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
            partitions.forEach(tp -> read.put(tp, new ArrayList<>()));
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> behind = new ArrayList<>(partitions);
            while (true) {
                behind.removeIf(tp -> consumer.position(tp) >= until.get(tp));
                if (behind.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("reading the events topic up to " + time);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < until.get(tp)) {
                        read.get(tp).add(r);
                    }
                }
            }
            List<List<TransactionBoundary.Pending>> pending = new ArrayList<>();
            Map<TopicPartition, List<java.util.Optional<EventLogRecord>>> decoded = new HashMap<>();
            for (TopicPartition tp : partitions) {
                List<TransactionBoundary.Pending> p = new ArrayList<>();
                List<java.util.Optional<EventLogRecord>> d = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : read.get(tp)) {
                    java.util.Optional<EventLogRecord> e =
                            EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(), r.value(), () -> { });
                    d.add(e);
                    // An undecodable record still counts in its transaction, as the compiler counts it.
                    java.util.Optional<TransactionMark> mark = e.isPresent()
                            ? java.util.Optional.ofNullable(e.get().transaction()) : EventLogCodec.transactionOf(r.value());
                    p.add(mark.map(m -> new TransactionBoundary.Pending(r.offset(), m.id(), m.records()))
                            .orElse(TransactionBoundary.Pending.alone(r.offset())));
                }
                pending.add(p);
                decoded.put(tp, d);
            }
            // Every record before the time cut was read: a transaction seen only in part has records after it.
            int[] cut = TransactionBoundary.applicable(pending, Set.of());
            List<SourceOffset> provenance = new ArrayList<>();
            List<SourceOffset> byTime = new ArrayList<>();
            int heldBack = 0;
            for (int i = 0; i < partitions.size(); i++) {
                TopicPartition tp = partitions.get(i);
                List<ConsumerRecord<byte[], byte[]>> records = read.get(tp);
                decoded.get(tp).subList(0, cut[i]).forEach(e -> e.ifPresent(r -> EventFold.apply(model, r)));
                heldBack += records.size() - cut[i];
                long next = cut[i] < records.size() ? records.get(cut[i]).offset() : until.get(tp);
                provenance.add(new SourceOffset(tp.topic(), tp.partition(), next));
                byTime.add(new SourceOffset(tp.topic(), tp.partition(), until.get(tp)));
            }
            return new AtTime(Isolation.compile(model), provenance, byTime, heldBack);
        }
    }

    /**
     * The model of the whole committed log, every partition read to its end: what {@code bin/ingress cluster
     * list|remove} read (the clusters, their liveness, their objects).
     */
    public static ClusterModel modelAtEnd(String bootstrapServers, Duration timeout) {
        ClusterModel model = new ClusterModel();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.EVENTS, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.EVENTS + " does not exist");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            consumer.assign(partitions);
            EventFold.foldUntil(consumer, end, model);
        }
        return model;
    }

    /** A group-less reader of committed events, as replays ({@link ReplayCursor} too) read the log. */
    static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "signalbox-replay");
        // Replay sees what the compiler saw: committed events only.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A reader with no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Replay reads the whole log: take big bites.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
