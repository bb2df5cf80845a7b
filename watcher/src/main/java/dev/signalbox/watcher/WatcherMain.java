package dev.signalbox.watcher;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.watcher.status.LbAddress;
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
 * [--lease-namespace NS] [--namespaces a,b] [--status-address A[,B] | --publish-service NS/NAME]
 * [--encryption-keys DIR] [--encryption-key-id ID]}. TLS private keys are sealed with the keys of DIR (one
 * base64 file per key id) or of the SIGNALBOX_ENCRYPTION_KEYS environment variable before they are published.
 * Reads its configuration once, wires the watcher and runs until SIGTERM (a shutdown hook closes it: leaves the election, stops publishing). Without
 * --kubeconfig, fabric8's default Config is used (in-cluster service account, or ~/.kube/config).
 */
public final class WatcherMain {
    static final String USAGE = "usage: watcher --kafka HOST:PORT [--cluster-id ID] [--manifests DIR] [--kubeconfig FILE]"
            + " [--lease-namespace NS] [--namespaces a,b] [--status-address A[,B] | --publish-service NS/NAME]"
            + " [--identity ID] [--lease-duration-ms 15000] [--encryption-keys DIR] [--encryption-key-id ID]";

    private WatcherMain() {
    }

    /** The parsed command line. */
    record Options(WatcherConfig config, Path kubeconfig) {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        WatcherConfig config = options.config();
        KubernetesClient client = null;
        Watcher watcher;
        if (config.manifestsDir() != null) {
            watcher = Watcher.startManifests(config);
        } else {
            Path kc = options.kubeconfig();
            Config k8s = kc == null ? Config.autoConfigure(null) : Config.fromKubeconfig(null, Files.readString(kc), kc.toString());
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

    static Options parse(String[] args) {
        String kafka = null;
        String clusterId = "local";
        Path manifests = null;
        Path kubeconfig = null;
        String leaseNamespace = null;
        List<String> namespaces = List.of();
        List<LbAddress> statusAddresses = List.of();
        String publishService = null;
        String identity = null;
        Long leaseMs = null;
        Path keyDir = null;
        String activeKey = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--kafka" -> kafka = v;
                case "--cluster-id" -> clusterId = v;
                case "--manifests" -> manifests = Path.of(v);
                case "--kubeconfig" -> kubeconfig = Path.of(v);
                case "--lease-namespace" -> leaseNamespace = v;
                case "--namespaces" -> namespaces = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                case "--status-address" -> statusAddresses = Arrays.stream(v.split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).map(LbAddress::parse).toList();
                case "--publish-service" -> publishService = v;
                case "--identity" -> identity = v;
                case "--lease-duration-ms" -> leaseMs = Long.parseLong(v);
                case "--encryption-keys" -> keyDir = Path.of(v);
                case "--encryption-key-id" -> activeKey = v;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (kafka == null) {
            throw new IllegalArgumentException("--kafka is required");
        }
        if (!statusAddresses.isEmpty() && publishService != null) {
            throw new IllegalArgumentException("--status-address and --publish-service exclude each other");
        }
        WatcherConfig config = WatcherConfig.defaults(kafka, clusterId).withManifestsDir(manifests).withNamespaces(namespaces)
                .withStatus(publishService != null ? WatcherConfig.Status.ofService(publishService)
                        : WatcherConfig.Status.ofAddresses(statusAddresses));
        if (leaseNamespace != null) {
            config = config.withLease(leaseNamespace, config.leaseName());
        }
        String pod = System.getenv("POD_NAME");
        if (identity == null && pod != null && !pod.isEmpty()) {
            identity = pod;
        }
        if (identity != null) {
            config = config.withIdentity(identity);
        }
        if (leaseMs != null) {
            // client-go's ratios (15 s / 10 s / 2 s): renew by 2/3 of the lease, retry every 2/15 of it.
            config = config.withTimings(java.time.Duration.ofMillis(leaseMs), java.time.Duration.ofMillis(leaseMs * 2 / 3),
                    java.time.Duration.ofMillis(leaseMs * 2 / 15));
        }
        try {
            config = config.withKeys(KeyRing.configured(keyDir, System.getenv(KeyRing.ENV), activeKey));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the key-encryption keys: " + e.getMessage(), e);
        }
        return new Options(config, kubeconfig);
    }
}
