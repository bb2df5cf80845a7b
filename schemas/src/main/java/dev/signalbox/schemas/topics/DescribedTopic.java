package dev.signalbox.schemas.topics;

import java.util.Map;

/**
 * A topic as Kafka describes it, in plain values so that the comparison with {@link TopicRequirement}s
 * needs no Kafka client.
 *
 * @param configs the topic's effective configuration: its own settings and the broker defaults it inherits
 */
public record DescribedTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
    public DescribedTopic {
        configs = Map.copyOf(configs);
    }
}
