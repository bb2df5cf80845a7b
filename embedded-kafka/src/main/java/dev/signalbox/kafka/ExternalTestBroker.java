package dev.signalbox.kafka;

/**
 * A broker for the integration tests that runs outside this JVM, offered through {@link java.util.ServiceLoader}
 * (test-support's Testcontainers fixture, on the tests' class path only). {@link EmbeddedKafka#startTemporary()}
 * asks for one when the system property {@value EmbeddedKafka#TEST_BROKER_PROPERTY} names it; local mode and
 * {@code bin/ingress kafka} never do.
 */
public interface ExternalTestBroker {
    /** The value of {@value EmbeddedKafka#TEST_BROKER_PROPERTY} that selects this broker ("testcontainers"). */
    String name();

    /** Null, with the reason in {@code whyNot}'s first element, when it cannot start here (no Docker engine). */
    Started start(String[] whyNot);

    /** A running broker: where clients find it, and how to stop it. */
    record Started(String bootstrapServers, AutoCloseable stop) {
    }
}
