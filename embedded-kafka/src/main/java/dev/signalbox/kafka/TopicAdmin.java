package dev.signalbox.kafka;

import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.Topics.TopicSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the pipeline's topics when they do not exist yet (local mode, tests, `bin/ingress topics`). */
public final class TopicAdmin {
    private TopicAdmin() {
    }

    /**
     * Creates the events, snapshots, compiler model and proxy acknowledgement topics with {@code replicationFactor} replicas.
     * With three or more replicas each topic also gets {@link #minInsyncReplicas}, so that an acks=all
     * write (every producer of the pipeline is transactional) survives the loss of any one broker.
     */
    public static void ensureTopics(String bootstrapServers, int eventPartitions, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get();
            for (TopicSpec spec : List.of(Topics.events(eventPartitions), Topics.snapshots(), Topics.compilerModel(),
                    Topics.proxyAcks())) {
                if (existing.contains(spec.name())) {
                    continue;
                }
                Map<String, String> configs = new HashMap<>(spec.configs());
                if (replicationFactor >= 3) {
                    // Default 1: a write acknowledged by the leader alone is lost if that leader dies next.
                    configs.put("min.insync.replicas", String.valueOf(minInsyncReplicas(replicationFactor)));
                }
                NewTopic t = new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.of(replicationFactor))
                        .configs(configs);
                try {
                    admin.createTopics(List.of(t)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topics on " + bootstrapServers + ": " + e.getCause(), e);
        }
    }

    /**
     * A majority of the replicas (2 of 3): writes go on with one broker down, and an acknowledged write
     * is on at least two brokers. Below three replicas, 1: one broker down must not stop the pipeline.
     */
    public static int minInsyncReplicas(short replicationFactor) {
        return replicationFactor >= 3 ? replicationFactor / 2 + 1 : 1;
    }
}
