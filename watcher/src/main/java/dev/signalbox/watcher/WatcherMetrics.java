package dev.signalbox.watcher;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.watcher.kafka.TransactionalPublisher;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One watcher's metrics, in a registry of its own (local mode runs several components in one JVM): whether it
 * leads and with which epoch, the events it committed by kind and op, how long a commit took, informer relists,
 * and what each takeover had to reconcile. Served on its admin port ({@code /metrics}). Thread-safe.
 */
public final class WatcherMetrics implements TransactionalPublisher.Observer {
    /** Commit times: a transaction is a few ms on a healthy broker, seconds while one is away. */
    private static final double[] PUBLISH_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10, 30};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter published = Counter.builder().name("signalbox_watcher_events_published_total")
            .help("Records this watcher committed to the events topic, by object kind and op (kind heartbeat or"
                    + " sync_marker with op mark for the leader's own records)")
            .labelNames("kind", "op").register(registry);
    private final Histogram publishDuration = Histogram.builder().name("signalbox_watcher_publish_duration_seconds")
            .help("Time to commit one transaction of events, from its begin to its commit, retries included")
            .classicOnly().classicUpperBounds(PUBLISH_BUCKETS).register(registry);
    private final Counter relists = Counter.builder().name("signalbox_watcher_informer_relists_total")
            .help("Lists an informer made after its first (its watch expired or failed), by kind")
            .labelNames("kind").register(registry);
    private final Counter takeovers = Counter.builder().name("signalbox_watcher_takeovers_total")
            .help("Times this watcher became the publisher of its cluster").register(registry);
    private final Counter reconciled = Counter.builder().name("signalbox_watcher_takeover_reconcile_differences_total")
            .help("Objects a takeover found different between the events log and the source, and published")
            .register(registry);
    private final CounterDataPoint[][] byKindAndOp = new CounterDataPoint[Kind.values().length][2];

    public WatcherMetrics() {
        for (Kind k : Kind.values()) {
            byKindAndOp[k.ordinal()][0] = published.labelValues(k.apiName(), "upsert");
            byKindAndOp[k.ordinal()][1] = published.labelValues(k.apiName(), "delete");
            relists.labelValues(k.apiName());
        }
    }

    /** The leader and epoch gauges, read from the running watcher at each scrape. */
    void leadership(BooleanSupplier leading, LongSupplier epoch) {
        GaugeWithCallback.builder().name("signalbox_watcher_leader")
                .help("1 while this watcher leads its cluster and publishes, else 0")
                .callback(cb -> cb.call(leading.getAsBoolean() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("signalbox_watcher_epoch")
                .help("The leader epoch of this watcher's current or last term (0 before its first; a manifests watcher's"
                        + " first term on an empty events log is 0 too)")
                .callback(cb -> cb.call(epoch.getAsLong())).register(registry);
    }

    /** Whether the source has its initial state (informers synced, or the manifests directory read). */
    void synced(BooleanSupplier synced) {
        GaugeWithCallback.builder().name("signalbox_watcher_source_synced")
                .help("1 once the source (informers or manifests directory) holds its initial state")
                .callback(cb -> cb.call(synced.getAsBoolean() ? 1 : 0)).register(registry);
    }

    @Override
    public void committed(List<? extends EventLogRecord> records, long nanos) {
        publishDuration.observe(nanos / 1e9);
        for (EventLogRecord r : records) {
            if (r instanceof ClusterEvent e) {
                byKindAndOp[e.kind().ordinal()][e.op() == dev.signalbox.schemas.event.Op.DELETE ? 1 : 0].inc();
            } else if (r instanceof Heartbeat) {
                published.labelValues("heartbeat", "mark").inc();
            } else if (r instanceof SyncMarker) {
                published.labelValues("sync_marker", "mark").inc();
            }
        }
    }

    /** An informer of {@code kind} listed again. */
    public void relisted(Kind kind) {
        relists.labelValues(kind.apiName()).inc();
    }

    /** A takeover published {@code differences} objects to make the log equal to the source. */
    void tookOver(int differences) {
        takeovers.inc();
        reconciled.inc(differences);
    }

    public PrometheusRegistry registry() {
        return registry;
    }
}
