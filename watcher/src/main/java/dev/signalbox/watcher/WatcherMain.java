package dev.signalbox.watcher;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one watcher from a configuration read once by {@code bin/ingress watcher} (the launcher module parses
 * the command line): wires the watcher and runs until SIGTERM (a shutdown hook closes it: leaves the
 * election, stops publishing). Runs on the caller's thread, which it blocks until then.
 */
public final class WatcherMain {
    private WatcherMain() {
    }

    /**
     * @param kubeconfig the cluster to watch when {@code config} has no manifests directory; null: fabric8's
     *                   default Config (in-cluster service account, or ~/.kube/config)
     */
    public static void run(WatcherConfig config, Path kubeconfig) throws IOException, InterruptedException {
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
    }
}
