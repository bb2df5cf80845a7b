package dev.signalbox.schemas;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Where Kafka is and how to talk to it: the bootstrap servers ({@code --kafka}) and the operator's client
 * settings ({@code --kafka-config FILE}: security.protocol, sasl.*, ssl.*, client.id, timeouts). Every Kafka
 * client a component or a command makes takes its properties from {@link #properties}, so the file reaches
 * admin clients, consumers and producers alike. Pure: the launcher reads the file; this only merges.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}
 * @param settings         the operator's client settings, may be empty
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> settings) {
    /**
     * The settings Signalbox's correctness rests on: the file cannot change them (exactly-once publication,
     * committed reads only, group-less readers, the record formats, and --kafka for the servers).
     */
    public static final Set<String> SIGNALBOX_OWNS = Set.of("bootstrap.servers", "isolation.level", "transactional.id",
            "enable.idempotence", "acks", "enable.auto.commit", "group.id", "auto.offset.reset",
            "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");

    public KafkaConnection {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        settings = Map.copyOf(settings);
    }

    /** Kafka at {@code bootstrapServers} with no further client settings. */
    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /**
     * A client's properties: the operator's settings, then {@code ours} (a client's own choices) where the
     * file does not set them or where Signalbox owns the setting ({@link #SIGNALBOX_OWNS}), and always
     * {@code bootstrap.servers}.
     */
    public Properties properties(Map<?, ?> ours) {
        Properties p = new Properties();
        p.putAll(settings);
        ours.forEach((k, v) -> {
            if (SIGNALBOX_OWNS.contains(k.toString()) || !settings.containsKey(k.toString())) {
                p.put(k.toString(), v);
            }
        });
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** The bootstrap servers only: the settings may hold passwords (sasl.jaas.config, ssl.key.password). */
    @Override
    public String toString() {
        return bootstrapServers;
    }
}
