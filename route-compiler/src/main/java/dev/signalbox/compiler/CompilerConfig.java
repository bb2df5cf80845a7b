package dev.signalbox.compiler;

import dev.signalbox.schemas.KafkaConnection;
import java.time.Duration;
import java.util.Map;

/**
 * Configuration of one route-compiler.
 *
 * @param transactionalId the Kafka transactional id; every compiler of one pipeline shares it, so a
 *                        second one fences the first and only one ever publishes
 * @param groupId         the consumer group under which consumed event offsets are committed
 * @param holdOff         a change this long after the last publish is published at once; sooner ones
 *                        are published once no event arrived for this long
 * @param maxDelay        and at the latest this long after the first unpublished change
 * @param chunkBytes      the largest snapshot chunk record
 * @param kafkaSettings   the operator's Kafka client settings (--kafka-config), for every client; may be empty
 * @param syncTimeout     how long a cluster whose watcher writes but has not recorded the end of its initial
 *                        list holds back publishing; after that it gets a diagnostic and is published as it is
 * @param liveness        when a silent cluster is stale, and what then happens to its endpoints (issue 14)
 */
public record CompilerConfig(String bootstrapServers, String transactionalId, String groupId, Duration holdOff,
                             Duration maxDelay, int chunkBytes, Duration syncTimeout, Map<String, String> kafkaSettings,
                             Liveness liveness) {
    /**
     * @param staleAfter         a cluster that sent heartbeats and then none for this long is recorded as stale
     * @param keepStaleEndpoints keep a stale cluster's endpoints in merged Services, marked stale, instead of
     *                           withdrawing them while another cluster serves the Service
     */
    public record Liveness(Duration staleAfter, boolean keepStaleEndpoints) {
        /** 30 s: six missed heartbeats at the watcher's default 5 s interval. */
        public static final Liveness DEFAULT = new Liveness(Duration.ofSeconds(30), false);

        public Liveness {
            if (staleAfter.isNegative() || staleAfter.isZero()) {
                throw new IllegalArgumentException("the time before a silent cluster is stale must be positive");
            }
        }
    }

    public CompilerConfig {
        kafkaSettings = kafkaSettings == null ? Map.of() : Map.copyOf(kafkaSettings);
        liveness = liveness == null ? Liveness.DEFAULT : liveness;
    }

    /** Sync timeout 30 s: a watcher's list and its marker are one transaction, so this only bounds a broken one. */
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(30);

    public CompilerConfig(String bootstrapServers, String transactionalId, String groupId, Duration holdOff,
                          Duration maxDelay, int chunkBytes) {
        this(bootstrapServers, transactionalId, groupId, holdOff, maxDelay, chunkBytes, DEFAULT_SYNC_TIMEOUT, null, null);
    }

    /** Kafka's servers and the operator's client settings, for every client the compiler makes. */
    public KafkaConnection kafka() {
        return new KafkaConnection(bootstrapServers, kafkaSettings);
    }

    /** This configuration with the operator's Kafka client settings ({@code --kafka-config}). */
    public CompilerConfig withKafkaSettings(Map<String, String> settings) {
        return new CompilerConfig(bootstrapServers, transactionalId, groupId, holdOff, maxDelay, chunkBytes, syncTimeout, settings, liveness);
    }

    /**
     * Hold-off 5 ms, maximum delay 200 ms ({@link dev.signalbox.compiler.kafka.CompilerLoop}'s batching).
     * The hold-off is shorter than Contour's 100 ms because bursts are already batched upstream: a watcher
     * publishes everything it has queued in one transaction.
     */
    public static CompilerConfig defaults(String bootstrapServers) {
        return new CompilerConfig(bootstrapServers, "signalbox-compiler", "signalbox-compiler",
                Duration.ofMillis(5), Duration.ofMillis(200), dev.signalbox.schemas.codec.SnapshotChunk.DEFAULT_CHUNK_BYTES);
    }

    public CompilerConfig withBatching(Duration holdOff, Duration maxDelay) {
        return new CompilerConfig(bootstrapServers, transactionalId, groupId, holdOff, maxDelay, chunkBytes, syncTimeout, kafkaSettings, liveness);
    }

    public CompilerConfig withChunkBytes(int bytes) {
        return new CompilerConfig(bootstrapServers, transactionalId, groupId, holdOff, maxDelay, bytes, syncTimeout, kafkaSettings, liveness);
    }

    public CompilerConfig withSyncTimeout(Duration timeout) {
        return new CompilerConfig(bootstrapServers, transactionalId, groupId, holdOff, maxDelay, chunkBytes, timeout, kafkaSettings, liveness);
    }

    public CompilerConfig withLiveness(Liveness l) {
        return new CompilerConfig(bootstrapServers, transactionalId, groupId, holdOff, maxDelay, chunkBytes, syncTimeout, kafkaSettings, l);
    }
}
