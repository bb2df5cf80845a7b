package dev.signalbox.kafka;

import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.KafkaTopics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Creates the pipeline's topics when they do not exist yet, for local mode and the tests: the same
 * requirements ({@link TopicRequirements}) and the same creation ({@link KafkaTopics}) as
 * {@code bin/ingress topics create} and the components' start-up.
 */
public final class TopicAdmin {
    private TopicAdmin() {
    }

    /**
     * Creates every missing Signalbox topic ({@link TopicRequirements#all}) with {@code replicationFactor}
     * replicas; with three or more each topic also gets {@link TopicRequirements#minInsyncReplicas}, so that an
     * acks=all write (every producer of the pipeline is transactional) survives the loss of any one broker.
     */
    public static void ensureTopics(String bootstrapServers, int eventPartitions, short replicationFactor) {
        try (KafkaTopics topics = KafkaTopics.connect(bootstrapServers, Map.of(), Duration.ofSeconds(30))) {
            topics.createMissing(TopicRequirements.all(eventPartitions), Optional.of((int) replicationFactor));
        }
    }
}
