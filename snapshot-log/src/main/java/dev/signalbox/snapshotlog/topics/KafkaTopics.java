package dev.signalbox.snapshotlog.topics;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.topics.DescribedTopic;
import dev.signalbox.schemas.topics.TopicCheck;
import dev.signalbox.schemas.topics.TopicRequirement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The Kafka side of Signalbox's topics: describes them as plain {@link DescribedTopic}s for the pure
 * {@link TopicCheck}, and creates the missing ones from their {@link TopicRequirement}s. One admin client;
 * used by one thread at a time ({@code bin/ingress topics}, a component's start-up, local mode, tests).
 */
public final class KafkaTopics implements AutoCloseable {
    private final Admin admin;
    private final String bootstrap;
    private final Duration timeout;

    private KafkaTopics(Admin admin, String bootstrap, Duration timeout) {
        this.admin = admin;
        this.bootstrap = bootstrap;
        this.timeout = timeout;
    }

    /**
     * An admin client for {@code bootstrap}.
     *
     * @param clientSettings further Kafka client settings (security.protocol, sasl.*, ssl.*), may be empty
     * @param timeout        how long one call may wait for Kafka before Kafka counts as unreachable
     */
    public static KafkaTopics connect(String bootstrap, Map<String, String> clientSettings, Duration timeout) {
        return connect(new KafkaConnection(bootstrap, clientSettings), timeout);
    }

    /**
     * An admin client for {@code kafka} (its settings win over the defaults below).
     *
     * @param timeout how long one call may wait for Kafka before Kafka counts as unreachable
     */
    public static KafkaTopics connect(KafkaConnection kafka, Duration timeout) {
        Map<String, Object> p = new HashMap<>();
        // A call must end within the caller's timeout: one request may take a third of it, retried within it.
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1000, timeout.toMillis() / 3)));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        // Name the client in broker logs.
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "signalbox-topics");
        return new KafkaTopics(Admin.create(kafka.properties(p)), kafka.bootstrapServers(), timeout);
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** How many brokers the cluster has; the first call, so an unreachable Kafka shows here. */
    public int brokerCount() {
        return get(admin.describeCluster().nodes(), "reach the cluster").size();
    }

    /** The named topics that exist, by name, with their effective configuration; a missing one is absent. */
    public Map<String, DescribedTopic> describe(Collection<String> names) {
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(names).topicNameValues();
        Map<String, TopicDescription> descriptions = new HashMap<>();
        for (String name : names) {
            ifKnown(futures.get(name), "describe topic " + name).ifPresent(d -> descriptions.put(name, d));
        }
        Map<String, DescribedTopic> described = new HashMap<>();
        if (descriptions.isEmpty()) {
            return described;
        }
        List<ConfigResource> resources = descriptions.keySet().stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, KafkaFuture<Config>> configFutures = admin.describeConfigs(resources).values();
        for (TopicDescription d : descriptions.values()) {
            // Unknown here though just described: created a moment ago, and the broker asked for its configuration has
            // not heard of it yet (a new topic's metadata reaches the brokers one by one). Not described yet.
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, d.name());
            Optional<Config> config = ifKnown(configFutures.get(resource), "read the configuration of " + d.name());
            if (config.isEmpty()) {
                continue;
            }
            Map<String, String> values = new HashMap<>();
            for (ConfigEntry e : config.get().entries()) {
                if (e.value() != null) {
                    values.put(e.name(), e.value());
                }
            }
            int replicas = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
            described.put(d.name(), new DescribedTopic(d.name(), d.partitions().size(), replicas, values));
        }
        return described;
    }

    /**
     * Creates each required topic that does not exist, with its partitions and settings; a topic another
     * client created meanwhile counts as existing. Returns the names it created.
     *
     * @param replicationFactor empty: 3, or the number of brokers when fewer
     */
    public List<String> createMissing(List<TopicRequirement> required, Optional<Integer> replicationFactor) {
        Map<String, DescribedTopic> existing = describe(required.stream().map(TopicRequirement::name).toList());
        int rf = replicationFactor.orElseGet(() -> Math.min(3, brokerCount()));
        List<String> created = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (TopicRequirement r : required) {
            if (existing.containsKey(r.name())) {
                continue;
            }
            missing.add(r.name());
            NewTopic topic = new NewTopic(r.name(), Optional.of(r.partitions()), Optional.of((short) rf))
                    .configs(r.createConfigs(rf));
            try {
                get(admin.createTopics(List.of(topic)).all(), "create topic " + r.name());
                created.add(r.name());
            } catch (TopicsException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        // Also the ones another client created meanwhile: they may not describe yet either.
        awaitVisible(missing);
        return List.copyOf(created);
    }

    /** A new topic's metadata reaches every broker shortly after it is created: wait until they describe. */
    private void awaitVisible(List<String> created) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!created.isEmpty() && !describe(created).keySet().containsAll(created)) {
            if (System.nanoTime() > deadline) {
                throw new TopicsException(TopicsException.Reason.NOT_READY,
                        "created " + created + " on Kafka at " + bootstrap + " but they did not appear within " + timeout, null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopicsException(TopicsException.Reason.NOT_READY, "interrupted", e);
            }
        }
    }

    /** {@link #get}, empty when the broker does not know the topic (missing, or not heard of yet). */
    private <T> Optional<T> ifKnown(KafkaFuture<T> future, String what) {
        try {
            return Optional.of(get(future, what));
        } catch (TopicsException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthenticationException) {
                throw new TopicsException(TopicsException.Reason.UNREACHABLE,
                        "could not authenticate to Kafka at " + bootstrap + ": " + cause.getMessage(), cause);
            }
            if (cause instanceof AuthorizationException) {
                throw new TopicsException(TopicsException.Reason.NOT_AUTHORISED, "not authorised to " + what
                        + " on Kafka at " + bootstrap + " (" + cause.getMessage() + ")", cause);
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(what, cause);
            }
            throw new TopicsException(TopicsException.Reason.NOT_READY,
                    "could not " + what + " on Kafka at " + bootstrap + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicsException(TopicsException.Reason.NOT_READY, "interrupted while trying to " + what, e);
        }
    }

    private TopicsException unreachable(String what, Throwable cause) {
        return new TopicsException(TopicsException.Reason.UNREACHABLE, "Kafka at " + bootstrap
                + " is unreachable (no answer within " + timeout.toSeconds() + " s to " + what + ")", cause);
    }

    @Override
    public void close() {
        // Do not wait the default 30 s for calls still queued against an unreachable Kafka.
        admin.close(Duration.ofSeconds(1));
    }
}
