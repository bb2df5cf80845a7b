package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.SyncMarker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Folds the events log, from its beginning up to given offsets, into a model: how a restarted compiler
 * rebuilds its state and how {@link Replay} recompiles a past snapshot. Runs on the caller's thread.
 */
final class EventFold {
    private EventFold() {
    }

    /**
     * Reads every event before {@code until} (per partition) into {@code model} and leaves the consumer,
     * which must be assigned those partitions, positioned exactly at {@code until}.
     *
     * @return how many records were read
     */
    static long foldUntil(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> until, ClusterModel model) {
        consumer.seekToBeginning(until.keySet());
        List<TopicPartition> behind = new ArrayList<>(until.keySet());
        long events = 0;
        while (true) {
            behind.removeIf(tp -> consumer.position(tp) >= until.get(tp));
            if (behind.isEmpty()) {
                break;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                // A partition may be read past its bound while others catch up; those records wait for later.
                if (r.offset() < until.get(new TopicPartition(r.topic(), r.partition()))) {
                    EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(), r.value(), () -> { })
                            .ifPresent(e -> apply(model, e));
                    events++;
                }
            }
        }
        until.forEach(consumer::seek);
        return events;
    }

    /** Applies any record of the events log. */
    static boolean apply(ClusterModel model, EventLogRecord r) {
        return model.apply(r);
    }
}
