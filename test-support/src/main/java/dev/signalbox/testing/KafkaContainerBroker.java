package dev.signalbox.testing;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.ExternalTestBroker;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers' Kafka module as the integration tests' broker, for machines with a Docker engine:
 * {@code mvn verify -Dsignalbox.test.kafka=testcontainers} (image {@code -Dsignalbox.test.kafka.image}, default
 * {@value #DEFAULT_IMAGE}, the version of the embedded broker). Found by {@link EmbeddedKafka#startTemporary()} through {@link java.util.ServiceLoader};
 * without a Docker engine it declines and the embedded broker runs, with a warning saying so. The container gets the
 * settings the embedded broker has for the same reasons (transactions on one node, record sizes, no topic created by
 * a typo).
 */
public final class KafkaContainerBroker implements ExternalTestBroker {
    static final String DEFAULT_IMAGE = "apache/kafka:4.4.0";

    @Override
    public String name() {
        return "testcontainers";
    }

    @Override
    public Started start(String[] whyNot) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            whyNot[0] = "no Docker engine is available (Testcontainers' DockerClientFactory found none)";
            return null;
        }
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(System.getProperty(EmbeddedKafka.TEST_BROKER_PROPERTY
                + ".image", DEFAULT_IMAGE)).asCompatibleSubstituteFor("apache/kafka"))
                // One node: the transaction log and the offsets topic with one replica (the module sets these too).
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                // No other members join late: do not hold the first rebalance for 3 s.
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                // Topics are created explicitly with their settings; a typo must not create one.
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                // Snapshot chunks up to 2 MiB.
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(4 * 1024 * 1024))
                .withEnv("KAFKA_REPLICA_FETCH_MAX_BYTES", String.valueOf(4 * 1024 * 1024));
        kafka.start();
        return new Started(kafka.getBootstrapServers(), kafka::stop);
    }
}
