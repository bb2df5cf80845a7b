package dev.signalbox.watcher.kafka;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Turns a failure of the watcher's Kafka clients into a sentence that says what is wrong, so that a
 * timeout is never mistaken for fencing: a producer's metadata wait ends with the same "not present in
 * metadata" timeout whether the broker is unreachable or the topic is missing, so a short admin probe
 * tells the two apart. Called on the watcher's sync thread after a failure only; blocks a few seconds at
 * most.
 */
public final class KafkaProblem {
    private static final Duration PROBE = Duration.ofSeconds(3);

    private KafkaProblem() {
    }

    /** Why {@code failure} happened, as one sentence naming Kafka's address or the topic. */
    public static String describe(KafkaConnection kafka, Throwable failure) {
        if (hasCause(failure, UnknownTopicOrPartitionException.class)) {
            return missingTopic(kafka);
        }
        if (!hasCause(failure, org.apache.kafka.common.errors.TimeoutException.class)) {
            return failure.toString();
        }
        try (Admin admin = Admin.create(probeConfig(kafka))) {
            admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get(PROBE.toMillis(), TimeUnit.MILLISECONDS);
            return "Kafka at " + kafka + " is reachable but did not answer in time (" + failure.getMessage() + ")";
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return missingTopic(kafka);
            }
            return unreachable(kafka, failure);
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            return unreachable(kafka, failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(kafka, failure);
        }
    }

    /**
     * Who holds {@code transactionalId} now, as Kafka's transaction coordinator says: the producer id and
     * epoch that fenced this watcher's producer. Best effort: "unknown" when Kafka does not answer.
     */
    public static String holderOf(KafkaConnection kafka, String transactionalId) {
        try (Admin admin = Admin.create(probeConfig(kafka))) {
            TransactionDescription d = admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                    .get(PROBE.toMillis(), TimeUnit.MILLISECONDS);
            return "producer id " + d.producerId() + " epoch " + d.producerEpoch() + " (transaction " + d.state() + ")";
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            return "unknown (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    private static java.util.Properties probeConfig(KafkaConnection kafka) {
        return kafka.properties(Map.of(
                // A diagnosis must come quickly: give up on one request after 2 s instead of 30 s.
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                // The whole probe is bounded by PROBE anyway; no retries beyond it (default 60 s).
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(PROBE.toMillis()),
                // Name the probe in broker logs.
                AdminClientConfig.CLIENT_ID_CONFIG, "signalbox-watcher-probe"));
    }

    private static String missingTopic(KafkaConnection kafka) {
        return "topic " + Topics.EVENTS + " does not exist on Kafka at " + kafka
                + " (`" + dev.signalbox.schemas.topics.TopicCheck.createCommand(kafka.bootstrapServers())
                + "` creates it; `bin/ingress watcher` creates it at start unless --no-create-topics)";
    }

    private static String unreachable(KafkaConnection kafka, Throwable failure) {
        return "Kafka at " + kafka + " is unreachable (" + failure.getMessage() + ")";
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
