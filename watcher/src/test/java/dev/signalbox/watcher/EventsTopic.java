package dev.signalbox.watcher;

import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.ObjectKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Test reader of the events topic as the compiler sees it: committed records only. */
final class EventsTopic {
    private EventsTopic() {
    }

    /** Every committed event of {@code clusterId}, in offset order per partition. */
    static List<ClusterEvent> read(String bootstrap, String clusterId) {
        return readAll(bootstrap, clusterId).stream().filter(r -> r instanceof ClusterEvent).map(r -> (ClusterEvent) r).toList();
    }

    /** Every committed record of {@code clusterId} (events and sync markers), in offset order per partition. */
    static List<EventLogRecord> readAll(String bootstrap, String clusterId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<EventLogRecord> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EVENTS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
                    EventLogCodec.decode("test", r.value(), () -> { }).filter(e -> e.clusterId().equals(clusterId)).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    static List<ClusterEvent> of(List<ClusterEvent> events, ObjectKey key) {
        return events.stream().filter(e -> e.key().equals(key)).toList();
    }
}
