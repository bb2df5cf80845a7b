package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Replay sees what the compiler saw: committed events only.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A reader with no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Replay reads the whole log: take big bites.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        ClusterModel model = new ClusterModel();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> until = new HashMap<>();
            provenance.forEach(s -> until.put(new TopicPartition(s.topic(), s.partition()), s.nextOffset()));
            consumer.assign(until.keySet());
            EventFold.foldUntil(consumer, until, model);
        }
        return Isolation.compile(model);
    }
}
