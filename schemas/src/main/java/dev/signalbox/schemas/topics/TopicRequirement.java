package dev.signalbox.schemas.topics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Signalbox needs of one topic: its partition count when created, and the rules its settings must
 * follow (the values a new topic gets come from the same rules, so creating and checking cannot disagree).
 *
 * @param partitions   the partition count a new topic gets
 * @param keyed        true when records are keyed by object, so the partition count must not change later
 * @param purpose      what the topic is for, in a few words (messages and {@code topics check})
 */
public record TopicRequirement(String name, int partitions, boolean keyed, String purpose, List<SettingRule> rules) {
    public TopicRequirement {
        if (partitions < 1) {
            throw new IllegalArgumentException(name + ": the partition count must be at least 1, not " + partitions);
        }
        rules = List.copyOf(rules);
    }

    /** The configuration a new topic with {@code replicationFactor} replicas is created with, sorted by key. */
    public Map<String, String> createConfigs(int replicationFactor) {
        Map<String, String> configs = new TreeMap<>();
        rules.forEach(r -> configs.put(r.key(), r.createValue(replicationFactor)));
        return configs;
    }
}
