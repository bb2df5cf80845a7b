package dev.signalbox.watcher;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code watcher --kafka HOST:PORT [--cluster-id ID] [--manifests DIR] [--kubeconfig FILE]
 * [--lease-namespace NS] [--namespaces a,b]}. Reads its configuration once, wires the watcher and runs
 * until SIGTERM (a shutdown hook closes it: leaves the election, stops publishing).
 */
public final class WatcherMain {
    private WatcherMain() {
    }

    public static void main(String[] args) throws Exception {
        String kafka = null;
        String clusterId = "local";
        Path manifests = null;
        Path kubeconfig = null;
        String leaseNamespace = null;
        List<String> namespaces = List.of();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                usage(args[i] + " needs a value");
                return;
            }
            switch (args[i]) {
                case "--kafka" -> kafka = v;
                case "--cluster-id" -> clusterId = v;
                case "--manifests" -> manifests = Path.of(v);
                case "--kubeconfig" -> kubeconfig = Path.of(v);
                case "--lease-namespace" -> leaseNamespace = v;
                case "--namespaces" -> namespaces = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (kafka == null) {
            usage("--kafka is required");
        }
        WatcherConfig config = WatcherConfig.defaults(kafka, clusterId).withManifestsDir(manifests).withNamespaces(namespaces);
        if (leaseNamespace != null) {
            config = config.withLease(leaseNamespace, config.leaseName());
        }
        KubernetesClient client = null;
        Watcher watcher;
        if (manifests != null) {
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

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: watcher --kafka HOST:PORT [--cluster-id ID] [--manifests DIR] [--kubeconfig FILE]"
                + " [--lease-namespace NS] [--namespaces a,b]");
        System.exit(2);
    }
}
