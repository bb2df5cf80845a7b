package dev.signalbox.launcher.audit;

/** Kafka cannot be reached, or a topic the question needs does not exist: the audit commands exit 3. */
public final class KafkaUnavailable extends RuntimeException {
    public KafkaUnavailable(String message) {
        super(message);
    }
}
