package dev.signalbox.snapshotlog.topics;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.topics.DescribedTopic;
import dev.signalbox.schemas.topics.Severity;
import dev.signalbox.schemas.topics.TopicCheck;
import dev.signalbox.schemas.topics.TopicProblem;
import dev.signalbox.schemas.topics.TopicRequirement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component's check of its topics before it starts, as Kafka Connect does for its internal topics: a
 * missing topic is created with the settings Signalbox needs (unless the component was told not to, for
 * topics managed by Strimzi or by hand), a setting that would break Signalbox stops the start with a
 * message naming the topic, the setting and the command that fixes it, and a setting that merely differs
 * is logged. While Kafka is unreachable it waits, saying so once. Runs on the caller's thread.
 */
public final class StartupTopics {
    private static final Logger LOG = LoggerFactory.getLogger(StartupTopics.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private StartupTopics() {
    }

    /**
     * Returns once the {@code needed} topics exist with settings that work.
     *
     * @param component the component's name in messages ("compiler")
     * @param create    create a missing topic; false: a missing topic is an error
     * @throws TopicsException {@link TopicsException.Reason#NOT_READY} or {@code NOT_AUTHORISED}: the component
     *                         must not start; the message says why and what fixes it
     */
    public static void ensure(String component, String bootstrap, List<TopicRequirement> needed, boolean create)
            throws InterruptedException {
        ensure(component, KafkaConnection.of(bootstrap), needed, create);
    }

    /** {@link #ensure(String, String, List, boolean)} with the operator's client settings. */
    public static void ensure(String component, KafkaConnection connection, List<TopicRequirement> needed, boolean create)
            throws InterruptedException {
        boolean waiting = false;
        while (true) {
            long t0 = System.nanoTime();
            try (KafkaTopics kafka = KafkaTopics.connect(connection, CALL_TIMEOUT)) {
                ensure(component, kafka, needed, create);
                LOG.info("the {}'s topics are ready ({}; checked in {} ms)", component,
                        String.join(", ", needed.stream().map(TopicRequirement::name).toList()), (System.nanoTime() - t0) / 1_000_000);
                return;
            } catch (TopicsException e) {
                if (e.reason() != TopicsException.Reason.UNREACHABLE) {
                    throw e;
                }
                if (!waiting) {
                    LOG.warn("{}; the {} checks its topics again every {} s before it starts", e.getMessage(), component,
                            RETRY.toSeconds());
                    waiting = true;
                }
            }
            Thread.sleep(RETRY.toMillis());
        }
    }

    /** One attempt with {@code kafka}'s client (tests call this with a short timeout). */
    static void ensure(String component, KafkaTopics kafka, List<TopicRequirement> needed, boolean create) {
        String bootstrap = kafka.bootstrap();
        List<String> names = needed.stream().map(TopicRequirement::name).toList();
        kafka.brokerCount();
        Map<String, DescribedTopic> found;
        try {
            found = kafka.describe(names);
        } catch (TopicsException e) {
            if (e.reason() != TopicsException.Reason.NOT_AUTHORISED) {
                throw e;
            }
            LOG.warn("{}: the {}'s topics are not checked; `bin/ingress topics check --kafka {}` run by a principal"
                    + " that may describe them checks them", e.getMessage(), component, bootstrap);
            return;
        }
        Map<String, DescribedTopic> before = found;
        List<String> missing = names.stream().filter(n -> !before.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            if (!create) {
                throw new TopicsException(TopicsException.Reason.NOT_READY, "the " + component + " needs "
                        + String.join(", ", missing) + ", missing on Kafka at " + bootstrap
                        + ", and --no-create-topics forbids creating " + (missing.size() == 1 ? "it" : "them")
                        + ". Create the topics with `" + TopicCheck.createCommand(bootstrap)
                        + "` (or deploy/k8s/70-topics.yaml with Strimzi), or start without --no-create-topics", null);
            }
            List<String> created;
            try {
                created = kafka.createMissing(needed, Optional.empty());
            } catch (TopicsException e) {
                if (e.reason() != TopicsException.Reason.NOT_AUTHORISED) {
                    throw e;
                }
                throw new TopicsException(e.reason(), e.getMessage() + ". The " + component + " needs "
                        + String.join(", ", missing) + ": have a principal that may create topics run `"
                        + TopicCheck.createCommand(bootstrap) + " [--kafka-config FILE]` (or apply"
                        + " deploy/k8s/70-topics.yaml with Strimzi), then start the " + component + " again", e);
            }
            found = kafka.describe(names);
            for (String name : created) {
                DescribedTopic t = found.get(name);
                LOG.info("created topic {} (partitions: {}, replicas: {}, {})", name, t.partitions(), t.replicationFactor(),
                        needed.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow()
                                .createConfigs(t.replicationFactor()));
            }
        }
        List<TopicProblem> problems = TopicCheck.check(needed, found, bootstrap);
        problems.stream().filter(p -> p.severity() == Severity.DIFFERS).forEach(p -> LOG.warn("topic {}", p.describe()));
        List<TopicProblem> breaking = problems.stream().filter(p -> p.severity() == Severity.BREAKS).toList();
        if (!breaking.isEmpty()) {
            throw new TopicsException(TopicsException.Reason.NOT_READY, "the " + component
                    + " does not start: topic settings on Kafka at " + bootstrap + " would break Signalbox:\n"
                    + breaking.stream().map(p -> "  " + p.describe()).collect(Collectors.joining("\n")), null);
        }
    }
}
