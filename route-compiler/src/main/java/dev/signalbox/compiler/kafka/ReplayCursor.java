package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@link Replay} for many snapshots in version order: one model folded forward from the start of the events
 * log, each snapshot's table recompiled once the fold reaches its provenance. Replaying N versions reads the
 * log once instead of N times ({@code bin/ingress verify}). Only the partitions still short of a provenance's
 * offset are fetched (the others are paused), so what is held back for a later snapshot is at most one poll's
 * records ({@code max.poll.records}), never the rest of the log. Used by one thread.
 */
public final class ReplayCursor implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ClusterModel model = new ClusterModel();
    private final Map<TopicPartition, Long> position = new HashMap<>();
    private final Map<TopicPartition, java.util.ArrayDeque<ConsumerRecord<byte[], byte[]>>> pending = new HashMap<>();
    private long events;
    private int buffered;
    private int peakBuffered;

    public ReplayCursor(String bootstrapServers) {
        this(KafkaConnection.of(bootstrapServers));
    }

    public ReplayCursor(KafkaConnection kafka) {
        consumer = Replay.consumer(kafka);
        List<TopicPartition> partitions = Replay.eventPartitions(consumer, Duration.ofSeconds(30));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        partitions.forEach(tp -> position.put(tp, 0L));
    }

    /**
     * Folds the events up to {@code provenance} (which must not be behind an earlier call's) and compiles.
     *
     * @throws IllegalArgumentException when the provenance goes back in a partition
     */
    public RoutingTable tableAt(List<SourceOffset> provenance) {
        Map<TopicPartition, Long> until = new HashMap<>();
        for (SourceOffset o : provenance) {
            TopicPartition tp = new TopicPartition(o.topic(), o.partition());
            if (!position.containsKey(tp)) {
                throw new IllegalArgumentException("provenance names " + tp + ", which the events topic does not have");
            }
            if (o.nextOffset() < position.get(tp)) {
                throw new IllegalArgumentException("provenance " + tp + "@" + o.nextOffset() + " is behind the replay, at "
                        + position.get(tp));
            }
            until.put(tp, o.nextOffset());
        }
        // Records fetched past an earlier bound wait here rather than being fetched again.
        for (TopicPartition tp : until.keySet()) {
            java.util.ArrayDeque<ConsumerRecord<byte[], byte[]>> q = pending.get(tp);
            while (q != null && !q.isEmpty() && q.peekFirst().offset() < until.get(tp)) {
                fold(q.pollFirst());
                buffered--;
            }
        }
        List<TopicPartition> behind = new ArrayList<>(until.keySet());
        behind.removeIf(tp -> pending.containsKey(tp) && !pending.get(tp).isEmpty());
        while (true) {
            behind.removeIf(tp -> consumer.position(tp) >= until.get(tp));
            if (behind.isEmpty()) {
                break;
            }
            // A partition at its bound (or not in the provenance) would otherwise be fetched to the log's end.
            consumer.pause(position.keySet().stream().filter(tp -> !behind.contains(tp)).toList());
            consumer.resume(behind);
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                Long bound = until.get(tp);
                if (bound != null && r.offset() < bound) {
                    fold(r);
                } else {
                    // Belongs to a later snapshot: kept for it.
                    pending.computeIfAbsent(tp, k -> new java.util.ArrayDeque<>()).addLast(r);
                    buffered++;
                }
            }
            peakBuffered = Math.max(peakBuffered, buffered);
        }
        until.forEach(position::put);
        return Isolation.compile(model);
    }

    private void fold(ConsumerRecord<byte[], byte[]> r) {
        // Events and sync markers, as the compiler and Replay fold them (a cluster never synced gets a diagnostic).
        EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(), r.value(), () -> { })
                .ifPresent(e -> EventFold.apply(model, e));
        events++;
    }

    /** Whether {@link #tableAt} can fold forward to {@code provenance}: no partition of it is behind the fold. */
    public boolean canReach(List<SourceOffset> provenance) {
        return provenance.stream().allMatch(o -> {
            Long at = position.get(new TopicPartition(o.topic(), o.partition()));
            return at != null && o.nextOffset() >= at;
        });
    }

    /** The most records held back for later snapshots at any moment (the memory the replay took beyond the model). */
    public int peakBuffered() {
        return peakBuffered;
    }

    /** Events folded so far. */
    public long events() {
        return events;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
