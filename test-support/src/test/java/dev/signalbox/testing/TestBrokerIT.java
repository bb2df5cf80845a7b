package dev.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.ExternalTestBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * The tests' one broker fixture ({@link EmbeddedKafka#startTemporary()}) asked for Testcontainers' Kafka: a container
 * where a Docker engine runs, else the embedded broker (and a warning saying so). Either way the broker answers.
 */
class TestBrokerIT {
    @Test
    void askedForTestcontainersTheFixtureUsesAContainerOnlyWhereDockerRunsAndABrokerAnswersEitherWay() throws Exception {
        assertEquals(List.of("testcontainers"), java.util.ServiceLoader.load(ExternalTestBroker.class).stream()
                .map(p -> p.get().name()).toList(), "test-support offers the container to the fixture");
        String before = System.getProperty(EmbeddedKafka.TEST_BROKER_PROPERTY);
        System.setProperty(EmbeddedKafka.TEST_BROKER_PROPERTY, "testcontainers");
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            boolean docker = DockerClientFactory.instance().isDockerAvailable();
            System.out.println("test broker fixture: Docker engine " + (docker ? "available: a KafkaContainer" : "absent: the embedded broker")
                    + " at " + kafka.bootstrapServers());
            if (docker) {
                assertNull(kafka.dataDir(), "a container has no data directory here");
            } else {
                assertNotNull(kafka.dataDir(), "without Docker: the embedded broker");
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertEquals(1, admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size());
                assertEquals(List.of(), List.copyOf(admin.listTopics().names().get(60, TimeUnit.SECONDS)));
            }
        } finally {
            if (before == null) {
                System.clearProperty(EmbeddedKafka.TEST_BROKER_PROPERTY);
            } else {
                System.setProperty(EmbeddedKafka.TEST_BROKER_PROPERTY, before);
            }
        }
    }
}
