package dev.signalbox.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where Kafka is and how to talk to it: the bootstrap servers ({@code --kafka}) and the operator's client
 * settings ({@code --kafka-config FILE} and {@code SIGNALBOX_KAFKA_*} environment variables: security.protocol,
 * sasl.*, ssl.*, client.id, timeouts). Every Kafka client a component or a command makes takes its properties
 * from {@link #properties}, so the settings reach admin clients, consumers and producers alike. Pure: the
 * launcher reads the file and the environment; this only merges.
 *
 * <p>Precedence, lowest first: a client's own settings (Signalbox's defaults), the file, the environment, and
 * last the settings Signalbox owns ({@link #OWNED}), which neither can change.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}
 * @param settings         the operator's client settings, may be empty
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> settings) {
    /**
     * The settings Signalbox's correctness rests on, each with the reason: neither the file nor the environment
     * can change them, and giving one is warned about ({@link #ignoredSettings}).
     */
    public static final Map<String, String> OWNED = ownedSettings();

    /** The names of {@link #OWNED}. */
    public static final Set<String> SIGNALBOX_OWNS = OWNED.keySet();

    /** The environment variables that carry client settings: {@code SIGNALBOX_KAFKA_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}. */
    public static final String ENV_PREFIX = "SIGNALBOX_KAFKA_";

    private static Map<String, String> ownedSettings() {
        Map<String, String> m = new TreeMap<>();
        m.put("bootstrap.servers", "--kafka names the servers");
        m.put("isolation.level", "read_committed: the compiler and the proxies must never see an aborted or fenced transaction");
        m.put("transactional.id", "the watcher's and the compiler's ids fence a deposed leader or a stale compiler");
        m.put("enable.idempotence", "each producer chooses it: transactions need it, the proxies' acknowledgements do without");
        m.put("acks", "transactional producers need acks=all; the acknowledgements are best effort by design");
        m.put("enable.auto.commit", "the compiler commits its offsets inside each snapshot's transaction");
        m.put("group.id", "the compiler's offsets are stored under its own group; every other reader has none");
        m.put("auto.offset.reset", "each reader decides where an empty log starts");
        for (String k : List.of("key.serializer", "value.serializer", "key.deserializer", "value.deserializer")) {
            m.put(k, "the record formats are Signalbox's");
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    public KafkaConnection {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        settings = Map.copyOf(settings);
    }

    /** Kafka at {@code bootstrapServers} with no further client settings. */
    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /**
     * The operator's settings: {@code file} (a {@code --kafka-config} file's, may be empty) with the
     * {@code SIGNALBOX_KAFKA_*} variables of {@code environment} over it.
     */
    public static Map<String, String> operatorSettings(Map<String, String> file, Map<String, String> environment) {
        Map<String, String> m = new TreeMap<>(file);
        m.putAll(fromEnvironment(environment));
        return m;
    }

    /**
     * The client settings among environment variables: every {@code SIGNALBOX_KAFKA_NAME}, its name lower-cased
     * and each {@code _} read as {@code .} ({@code SIGNALBOX_KAFKA_SSL_TRUSTSTORE_CERTIFICATES} is
     * {@code ssl.truststore.certificates}). A setting whose name holds {@code _} or {@code -} goes in the file.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> m = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                m.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return m;
    }

    /**
     * One sentence per setting the operator gave that Signalbox owns (sorted by name), naming it and why it is
     * kept: the launcher logs them as warnings. Values are not repeated (a setting may hold a secret).
     */
    public List<String> ignoredSettings() {
        List<String> out = new ArrayList<>();
        new TreeMap<>(settings).keySet().stream().filter(OWNED::containsKey).forEach(k ->
                out.add("ignoring Kafka client setting " + k + " (from --kafka-config or " + ENV_PREFIX
                        + k.toUpperCase(Locale.ROOT).replace('.', '_') + "): Signalbox keeps its own, because " + OWNED.get(k)));
        return out;
    }

    /**
     * A client's properties: the operator's settings, then {@code ours} (a client's own choices) where the
     * operator does not set them or where Signalbox owns the setting ({@link #SIGNALBOX_OWNS}), and always
     * {@code bootstrap.servers}. An owned setting a client does not use (a producer's {@code group.id}) is
     * dropped rather than passed on.
     */
    public Properties properties(Map<?, ?> ours) {
        Properties p = new Properties();
        settings.forEach((k, v) -> {
            if (!OWNED.containsKey(k)) {
                p.put(k, v);
            }
        });
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
