package dev.signalbox.launcher;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A metrics reporter that only records the configuration each Kafka client hands it: named in a
 * {@code --kafka-config} file ({@code metric.reporters}), it shows which clients a command made with the file's
 * settings (Kafka configures a client's reporters with the client's own settings).
 */
public final class ClientConfigRecorder implements MetricsReporter {
    /** Every configured client's settings, in order. */
    static final Queue<Map<String, ?>> CONFIGS = new ConcurrentLinkedQueue<>();

    @Override
    public void configure(Map<String, ?> configs) {
        CONFIGS.add(Map.copyOf(configs));
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
    }

    @Override
    public void metricChange(KafkaMetric metric) {
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
    }

    @Override
    public void close() {
    }
}
