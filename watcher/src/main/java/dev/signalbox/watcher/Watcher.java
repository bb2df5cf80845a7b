package dev.signalbox.watcher;

import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.watcher.k8s.InformerCaches;
import dev.signalbox.watcher.k8s.KubeStatus;
import dev.signalbox.watcher.k8s.PublishedService;
import dev.signalbox.watcher.k8s.LeaseElection;
import dev.signalbox.watcher.kafka.TransactionalPublisher;
import dev.signalbox.watcher.manifests.ManifestDirectory;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.signalbox.watcher.status.LbAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running watcher: a source (Kubernetes informers with leader election, or a manifests directory)
 * whose objects are published to the events topic while this watcher leads. A Kubernetes leader also
 * reports the compiled snapshots back to its cluster (Ingress status, diagnostic Events). Built by {@link WatcherMain}
 * or a launcher; thread-safe.
 */
public final class Watcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);

    private final WatcherConfig config;
    private volatile Synchronizer sync;
    private AutoCloseable source;
    private LeaseElection election;
    private StatusReporter status;
    private PublishedService publishedService;
    private boolean closed;
    private final WatcherMetrics metrics = new WatcherMetrics();
    /** Whether the source holds its initial state: the informers synced, or the manifests directory read. */
    private volatile java.util.function.BooleanSupplier synced = () -> false;
    /** True between winning and losing the Lease (Kubernetes source); a manifests watcher always leads. */
    private volatile boolean holdsLease;

    private Watcher(WatcherConfig config) {
        this.config = config;
        if (config.keys().isEmpty()) {
            LOG.warn("no key-encryption key configured (--encryption-keys DIR or SIGNALBOX_ENCRYPTION_KEYS): private keys"
                    + " of TLS Secrets are not published, so their hosts get the default certificate");
        } else {
            LOG.info("sealing TLS private keys (AES-256-GCM) with key {} of {}", config.keys().activeKeyId().orElseThrow(),
                    config.keys().keyIds());
        }
    }

    /** Watches the cluster behind {@code client} (informers use it; the elector derives its own client). */
    public static Watcher startKubernetes(WatcherConfig config, KubernetesClient client) {
        Watcher w = new Watcher(config);
        InformerCaches caches = new InformerCaches(client, config.clusterId(), config.namespaces(), config.keys(), w::changed);
        w.source = caches;
        w.sync = new Synchronizer(config.kafka(), config.clusterId(), caches, Clock.systemUTC(), w::fencedKubernetes,
                config.heartbeatInterval());
        w.observe(caches::synced);
        caches.onRelist(w.metrics::relisted);
        w.sync.warmUp();
        Supplier<Optional<List<LbAddress>>> addresses = Optional::empty;
        WatcherConfig.Status st = config.status();
        if (st.publishServiceName() != null) {
            w.publishedService = new PublishedService(client, st.publishServiceNamespace(), st.publishServiceName(), w::statusChanged);
            addresses = w.publishedService;
        } else if (st.enabled()) {
            Optional<List<LbAddress>> fixed = Optional.of(st.addresses());
            addresses = () -> fixed;
        }
        w.status = new StatusReporter(config.kafka(), config.clusterId(), addresses,
                new KubeStatus(client, caches, Clock.systemUTC(), config.leaseNamespace(), config.leaseName()));
        w.election = new LeaseElection(client, new LeaseElection.Settings(config.leaseNamespace(), config.leaseName(),
                config.identity(), config.leaseDuration(), config.renewDeadline(), config.retryPeriod()),
                epoch -> {
                    w.holdsLease = true;
                    w.sync.takeOver(maxInLog -> epoch);
                    w.status.lead();
                },
                () -> {
                    w.holdsLease = false;
                    w.sync.stepDown();
                    w.status.stepDown();
                });
        caches.start();
        if (w.publishedService != null) {
            w.publishedService.start();
        }
        w.election.start();
        return w;
    }

    /** Publishes a manifests directory; the only instance per cluster id, so it leads from the start. */
    public static Watcher startManifests(WatcherConfig config) {
        Watcher w = new Watcher(config);
        ManifestDirectory dir = new ManifestDirectory(config.manifestsDir(), config.clusterId(), config.keys(), w::changed);
        w.source = dir;
        // No Lease here: the epoch is one more than the newest epoch in the log.
        LongUnaryOperator epoch = maxInLog -> maxInLog + 1;
        // A manifests watcher is meant to be the only one of its cluster: whatever fenced it (another watcher
        // started with the same cluster id, or the broker aborting a transaction that outlived
        // transaction.timeout.ms), it takes over again rather than stop publishing for good.
        w.sync = new Synchronizer(config.kafka(), config.clusterId(), dir, Clock.systemUTC(),
                () -> {
                    LOG.error("cluster {}: taking over again (a manifests watcher should be the only one of its cluster;"
                            + " if another runs with the same cluster id, stop one)", config.clusterId());
                    w.sync.takeOverLater(epoch);
                }, config.heartbeatInterval());
        w.holdsLease = true;
        w.observe(() -> true);
        dir.start();
        w.sync.takeOver(epoch);
        return w;
    }

    /** One source change: the keys of a manifests scan, of one watch event, or of an informer's relist. */
    private void changed(java.util.Collection<ObjectKey> keys) {
        Synchronizer s = sync;
        if (s != null) {
            s.changed(keys);
        }
        if (keys.stream().anyMatch(k -> k.kind() == Kind.INGRESS)) {
            statusChanged();
        }
    }

    private void statusChanged() {
        StatusReporter r = status;
        if (r != null) {
            r.changed();
        }
    }

    /**
     * Fenced producer: another watcher has initialised the transactional id, so it leads or is about to;
     * leave the election and join again, on a thread of its own. (A producer that broke without being
     * fenced does not come here: the Synchronizer replaces it and leadership stands.)
     */
    private void fencedKubernetes() {
        LOG.error("cluster {}: another watcher's producer fenced this one; leaving the election and standing again",
                config.clusterId());
        StatusReporter r = status;
        if (r != null) {
            r.stepDown();
        }
        Thread t = new Thread(() -> {
            LeaseElection e = election;
            if (e != null) {
                e.restart();
            }
        }, "signalbox-rejoin-election");
        t.setDaemon(true);
        t.start();
    }

    private void observe(java.util.function.BooleanSupplier sourceSynced) {
        synced = sourceSynced;
        sync.metrics(metrics);
        metrics.leadership(sync::isLeading, sync::epoch);
        metrics.synced(sourceSynced);
    }

    /** This watcher's metrics, for its admin port. */
    public WatcherMetrics metrics() {
        return metrics;
    }

    /**
     * Readiness (/readyz): the source holds its initial state and, while this watcher holds the Lease, it
     * publishes (its takeover reconcile is done). A standby is ready: it is there to take over.
     */
    public dev.signalbox.observability.Health health() {
        return health(config.clusterId(), synced.getAsBoolean(), holdsLease, sync.isLeading(), sync.epoch());
    }

    /**
     * The readiness decision: not ready before the source synced, nor while holding the Lease without publishing yet
     * (the takeover reconcile runs); ready when leading and publishing, and as a standby.
     */
    static dev.signalbox.observability.Health health(String clusterId, boolean sourceSynced, boolean lease,
                                                     boolean publishing, long epoch) {
        String status = !sourceSynced ? "not-synced" : lease && !publishing ? "taking-over"
                : publishing ? "leading" : "standby";
        return new dev.signalbox.observability.Health(sourceSynced && (!lease || publishing), status, java.util.Map.of(
                "clusterId", clusterId, "synced", sourceSynced, "leader", publishing, "epoch", epoch));
    }

    /** True while this watcher leads and publishes (after its takeover reconcile). */
    public boolean isLeader() {
        return sync.isLeading();
    }

    /** Events committed to the topic by this watcher. */
    public long publishedEvents() {
        return sync.publishedEvents();
    }

    /** Ingress status writes and diagnostic Events made by this watcher (Kubernetes source). */
    public long statusWrites() {
        return status == null ? 0 : status.statusWrites();
    }

    public long eventsReported() {
        return status == null ? 0 : status.eventsReported();
    }

    WatcherConfig config() {
        return config;
    }

    /** Test hook: the current leader's publisher, or null when not leading. */
    TransactionalPublisher publisherForTest() {
        return sync.publisherForTest();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Leave the election first (cancel before its client closes), then stop writing, then the source.
        if (election != null) {
            election.close();
        }
        if (status != null) {
            status.close();
        }
        sync.close();
        if (publishedService != null) {
            publishedService.close();
        }
        try {
            source.close();
        } catch (Exception e) {
            LOG.warn("closing the source", e);
        }
    }
}
