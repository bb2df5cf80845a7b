package dev.signalbox.launcher;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.watcher.WatcherConfig;
import dev.signalbox.watcher.WatcherMain;
import dev.signalbox.watcher.status.LbAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/ingress watcher}: one watcher of a cluster (or a manifests directory) against an external Kafka. */
@Command(header = "A cluster (or a directory of YAML) -> events, leader-elected.", name = "watcher", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Publishes the cluster's routing objects as events: Kubernetes informers (leader-elected, fenced)",
            "or a directory of YAML files. TLS private keys are sealed before they are published."})
final class WatcherCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOption kafka;

    @Mixin
    TopicCreationOption topics;

    @Option(names = "--cluster-id", defaultValue = "local", paramLabel = "ID", description = "Names this cluster in the events.")
    String clusterId;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The cluster to watch. Default: in-cluster service account, or ~/.kube/config.")
    Path kubeconfig;

    @Option(names = "--manifests", paramLabel = "DIR", description = "Publish this directory's YAML instead of a cluster's objects (--kubeconfig is then unused).")
    Path manifests;

    @Option(names = "--lease-namespace", defaultValue = "default", paramLabel = "NS", description = "The namespace of the leader-election Lease.")
    String leaseNamespace;

    @Option(names = "--namespaces", split = ",", paramLabel = "NS", description = "Watch only these namespaces. Default: all.")
    List<String> namespaces = List.of();

    @Option(names = "--status-address", split = ",", paramLabel = "ADDRESS",
            description = "IPs or host names written into our Ingresses' status.loadBalancer.")
    List<String> statusAddresses = List.of();

    @Option(names = "--publish-service", paramLabel = "NS/NAME",
            description = "Write the load balancer addresses of this Service into our Ingresses' status instead.")
    String publishService;

    @Option(names = "--identity", paramLabel = "ID", defaultValue = "${env:POD_NAME}",
            description = "This candidate's name in the Lease. Default: the POD_NAME environment variable, else the host name plus a random suffix.")
    String identity;

    @Option(names = "--lease-duration-ms", defaultValue = "15000", paramLabel = "MS", converter = Port.Millis.class,
            description = "How long a silent leader keeps the Lease (renew deadline 2/3 of it, retry every 2/15).")
    Duration leaseDuration;

    @Option(names = "--encryption-keys", paramLabel = "DIR",
            description = "The key-encryption keys that seal TLS private keys, one base64 file per key id; or SIGNALBOX_ENCRYPTION_KEYS=id=base64[,id=base64].")
    Path encryptionKeys;

    @Option(names = "--encryption-key-id", paramLabel = "ID", description = "The key that seals. Default: the greatest key id.")
    String encryptionKeyId;

    @Option(names = "--admin-port", defaultValue = "9101", paramLabel = "PORT", converter = Port.Converter.class,
            description = "The admin port: /healthz, /readyz (synced and, on the leader, publishing), /metrics. 0: any free port.")
    int adminPort;

    @Option(names = "--heartbeat-interval", defaultValue = "5s", paramLabel = "TIME", converter = Port.Span.class,
            description = "How often the leader writes a heartbeat; the compiler records a cluster silent for --cluster-stale-after as stale.")
    Duration heartbeatInterval;

    WatcherConfig config() {
        if (!statusAddresses.isEmpty() && publishService != null) {
            throw usage("--status-address and --publish-service exclude each other");
        }
        try {
            WatcherConfig.Status status = publishService != null ? WatcherConfig.Status.ofService(publishService)
                    : WatcherConfig.Status.ofAddresses(trimmed(statusAddresses).stream().map(LbAddress::parse).toList());
            long ms = leaseDuration.toMillis();
            // client-go's ratios (15 s / 10 s / 2 s): renew by 2/3 of the lease, retry every 2/15 of it.
            WatcherConfig config = WatcherConfig.defaults(kafka.bootstrap(), clusterId).withManifestsDir(manifests)
                    .withKafkaSettings(kafka.settings())
                    .withNamespaces(trimmed(namespaces)).withStatus(status)
                    .withTimings(leaseDuration, Duration.ofMillis(ms * 2 / 3), Duration.ofMillis(ms * 2 / 15));
            config = config.withLease(leaseNamespace, config.leaseName());
            if (identity != null) {
                config = config.withIdentity(identity);
            }
            return config.withKeys(KeyRing.configured(encryptionKeys, System.getenv(KeyRing.ENV), encryptionKeyId))
                    .withHeartbeatInterval(heartbeatInterval);
        } catch (IOException e) {
            throw usage("cannot read the key-encryption keys: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private static List<String> trimmed(List<String> values) {
        return values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        return WatcherMain.run(config(), kubeconfig, topics.createTopics(), adminPort);
    }
}
