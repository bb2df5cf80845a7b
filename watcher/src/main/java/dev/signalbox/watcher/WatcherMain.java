package dev.signalbox.watcher;

import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.topics.TopicRequirement;
import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.StartupTopics;
import dev.signalbox.snapshotlog.topics.TopicsException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one watcher from a configuration read once by {@code bin/ingress watcher} (the launcher module parses
 * the command line): wires the watcher and runs until SIGTERM (a shutdown hook closes it: leaves the
 * election, stops publishing). Runs on the caller's thread, which it blocks until then. Before it starts it
 * checks its topics (the events; with a Kubernetes source also the snapshots its status reporter reads),
 * creating the missing ones unless told not to.
 */
public final class WatcherMain {
    private static final Logger LOG = LoggerFactory.getLogger(WatcherMain.class);

    private WatcherMain() {
    }

    /**
     * @param kubeconfig the cluster to watch when {@code config} has no manifests directory; null: fabric8's
     *                   default Config (in-cluster service account, or ~/.kube/config)
     * @param createTopics create a missing topic at start (false: a missing topic stops the watcher)
     * @return 0 after SIGTERM, 1 when a topic is missing or would break Signalbox
     */
    public static int run(WatcherConfig config, Path kubeconfig, boolean createTopics) throws IOException, InterruptedException {
        List<TopicRequirement> topics = config.manifestsDir() != null
                ? List.of(TopicRequirements.events(TopicRequirements.DEFAULT_EVENT_PARTITIONS))
                : List.of(TopicRequirements.events(TopicRequirements.DEFAULT_EVENT_PARTITIONS),
                        TopicRequirements.snapshots(SnapshotChunk.DEFAULT_CHUNK_BYTES));
        try {
            StartupTopics.ensure("watcher", config.kafka(), topics, createTopics);
        } catch (TopicsException e) {
            LOG.error(e.getMessage());
            return 1;
        }
        KubernetesClient client = null;
        Watcher watcher;
        if (config.manifestsDir() != null) {
            watcher = Watcher.startManifests(config);
        } else {
            Config k8s = kubeconfig == null ? Config.autoConfigure(null)
                    : Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
            client = new KubernetesClientBuilder().withConfig(k8s).build();
            watcher = Watcher.startKubernetes(config, client);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        KubernetesClient c = client;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watcher.close();
            if (c != null) {
                c.close();
            }
            stopped.countDown();
        }, "signalbox-watcher-shutdown"));
        stopped.await();
        return 0;
    }
}
