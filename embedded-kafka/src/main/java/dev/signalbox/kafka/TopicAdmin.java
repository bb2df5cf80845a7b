package dev.signalbox.kafka;

import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.Topics.TopicSpec;
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

    public static void ensureTopics(String bootstrapServers, int eventPartitions, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get();
            for (TopicSpec spec : List.of(Topics.events(eventPartitions), Topics.snapshots(), Topics.compilerModel())) {
                if (existing.contains(spec.name())) {
                    continue;
                }
                NewTopic t = new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.of(replicationFactor))
                        .configs(spec.configs());
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
}
