package dev.signalbox.watcher;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.watcher.status.LbAddress;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything a watcher needs, read once by {@code bin/ingress watcher} (the launcher module) and run by {@link WatcherMain}.
 *
 * @param manifestsDir  a directory of Kubernetes YAML to publish instead of a cluster; null = Kubernetes source
 * @param identity      this candidate's name in the Lease; pod name or hostname plus a random suffix
 * @param namespaces    namespaces to watch; empty = all
 * @param leaseDuration how long a silent leader keeps the Lease; renewDeadline is how long it keeps trying
 *                      to renew before it gives up; retryPeriod is the pause between attempts
 * @param status        where the Ingress status address comes from (Kubernetes source only)
 * @param kafkaSettings the operator's Kafka client settings (--kafka-config), for every client; may be empty
 * @param keys          seal TLS private keys before they are published; empty: keys are left out of the events
 * @param heartbeatInterval how often the leader writes a {@link dev.signalbox.schemas.event.Heartbeat}
 */
public record WatcherConfig(
        String bootstrapServers,
        String clusterId,
        Path manifestsDir,
        String leaseNamespace,
        String leaseName,
        String identity,
        List<String> namespaces,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod,
        Status status,
        KeyRing keys,
        Map<String, String> kafkaSettings,
        Duration heartbeatInterval) {

    /** How often a leader says it is alive (issue 14): well under the compiler's default 30 s before a cluster is stale. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

    /**
     * The address the leader writes into {@code status.loadBalancer.ingress} of the Ingresses it serves:
     * fixed addresses ({@code --status-address}), or those of a Service ({@code --publish-service ns/name}),
     * or none (statuses are not written; diagnostics still become Events).
     */
    public record Status(List<LbAddress> addresses, String publishServiceNamespace, String publishServiceName) {
        public static final Status NONE = new Status(List.of(), null, null);

        public Status {
            addresses = List.copyOf(addresses);
            if (!addresses.isEmpty() && publishServiceName != null) {
                throw new IllegalArgumentException("--status-address and --publish-service exclude each other");
            }
        }

        public static Status ofAddresses(List<LbAddress> addresses) {
            return new Status(addresses, null, null);
        }

        /** @param namespacedName "namespace/name" */
        public static Status ofService(String namespacedName) {
            int slash = namespacedName.indexOf('/');
            if (slash <= 0 || slash == namespacedName.length() - 1 || namespacedName.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException("--publish-service needs namespace/name, not " + namespacedName);
            }
            return new Status(List.of(), namespacedName.substring(0, slash), namespacedName.substring(slash + 1));
        }

        public boolean enabled() {
            return !addresses.isEmpty() || publishServiceName != null;
        }
    }

    public WatcherConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(clusterId, "clusterId");
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        status = status == null ? Status.NONE : status;
        keys = keys == null ? KeyRing.empty() : keys;
        kafkaSettings = kafkaSettings == null ? Map.of() : Map.copyOf(kafkaSettings);
        heartbeatInterval = heartbeatInterval == null ? DEFAULT_HEARTBEAT_INTERVAL : heartbeatInterval;
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("the heartbeat interval must be positive");
        }
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("renewDeadline must be shorter than leaseDuration");
        }
    }

    /** client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry; Lease "signalbox-watcher-<cluster>". */
    public static WatcherConfig defaults(String bootstrapServers, String clusterId) {
        return new WatcherConfig(bootstrapServers, clusterId, null, "default", "signalbox-watcher-" + clusterId,
                defaultIdentity(), List.of(), Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2),
                Status.NONE, KeyRing.empty(), Map.of(), DEFAULT_HEARTBEAT_INTERVAL);
    }

    public WatcherConfig withManifestsDir(Path dir) {
        return new WatcherConfig(bootstrapServers, clusterId, dir, leaseNamespace, leaseName, identity, namespaces,
                leaseDuration, renewDeadline, retryPeriod, status, keys, kafkaSettings, heartbeatInterval);
    }

    public WatcherConfig withLease(String namespace, String name) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, namespace, name, identity, namespaces,
                leaseDuration, renewDeadline, retryPeriod, status, keys, kafkaSettings, heartbeatInterval);
    }

    public WatcherConfig withIdentity(String id) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, leaseNamespace, leaseName, id, namespaces,
                leaseDuration, renewDeadline, retryPeriod, status, keys, kafkaSettings, heartbeatInterval);
    }

    public WatcherConfig withNamespaces(List<String> ns) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, leaseNamespace, leaseName, identity, ns,
                leaseDuration, renewDeadline, retryPeriod, status, keys, kafkaSettings, heartbeatInterval);
    }

    public WatcherConfig withTimings(Duration lease, Duration renew, Duration retry) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, leaseNamespace, leaseName, identity,
                namespaces, lease, renew, retry, status, keys, kafkaSettings, heartbeatInterval);
    }

    public WatcherConfig withStatus(Status s) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, leaseNamespace, leaseName, identity,
                namespaces, leaseDuration, renewDeadline, retryPeriod, s, keys, kafkaSettings, heartbeatInterval);
    }

    /** This configuration with the operator's Kafka client settings ({@code --kafka-config}). */
    public WatcherConfig withKafkaSettings(Map<String, String> settings) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, leaseNamespace, leaseName, identity,
                namespaces, leaseDuration, renewDeadline, retryPeriod, status, keys, settings, heartbeatInterval);
    }

    /** Kafka's servers and the operator's client settings, for every client the watcher makes. */
    public KafkaConnection kafka() {
        return new KafkaConnection(bootstrapServers, kafkaSettings);
    }

    public WatcherConfig withKeys(KeyRing k) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, leaseNamespace, leaseName, identity,
                namespaces, leaseDuration, renewDeadline, retryPeriod, status, k, kafkaSettings, heartbeatInterval);
    }

    public WatcherConfig withHeartbeatInterval(Duration interval) {
        return new WatcherConfig(bootstrapServers, clusterId, manifestsDir, leaseNamespace, leaseName, identity,
                namespaces, leaseDuration, renewDeadline, retryPeriod, status, keys, kafkaSettings, interval);
    }

    /**
     * The host name (HOSTNAME in a pod) plus a random suffix. {@code bin/ingress watcher} uses the pod name
     * (POD_NAME) instead when it is set.
     */
    static String defaultIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "watcher";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
