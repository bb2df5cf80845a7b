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
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import dev.signalbox.observability.AdminServer;
import dev.signalbox.observability.Health;
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
     * @param adminPort    the admin port (/healthz, /readyz, /metrics) on all addresses; 0 picks a free one
     * @return 0 after SIGTERM, 1 when a topic is missing or would break Signalbox
     */
    public static int run(WatcherConfig config, Path kubeconfig, boolean createTopics, int adminPort)
            throws IOException, InterruptedException {
        // Served from the start, so a liveness probe is answered while the topics are checked; ready once the
        // watcher runs and says so.
        AtomicReference<Watcher> running = new AtomicReference<>();
        WatcherMetrics startup = new WatcherMetrics();
        AdminServer admin = AdminServer.start("watcher", "0.0.0.0", adminPort, startup.registry(), () -> {
            Watcher w = running.get();
            return w == null ? new Health(false, "starting", Map.of()) : w.health();
        });
        try {
            return runWith(config, kubeconfig, createTopics, running, admin);
        } finally {
            admin.close();
        }
    }

    private static int runWith(WatcherConfig config, Path kubeconfig, boolean createTopics,
                               AtomicReference<Watcher> running, AdminServer admin)
            throws IOException, InterruptedException {
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
        admin.serve(watcher.metrics().registry());
        running.set(watcher);
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
