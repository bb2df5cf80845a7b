package dev.signalbox.watcher;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.watcher.kafka.EventLogReader;
import dev.signalbox.watcher.kafka.KafkaProblem;
import dev.signalbox.watcher.kafka.TransactionErrors;
import dev.signalbox.watcher.kafka.TransactionalPublisher;
import dev.signalbox.watcher.model.Change;
import dev.signalbox.watcher.model.LogDiff;
import dev.signalbox.watcher.model.LogEntry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the events topic equal to a source while this watcher leads. Every transition runs on one
 * thread ("signalbox-watcher-sync"), so the map of what the log says needs no locks: takeover (open a
 * fenced-off producer, read the log, reconcile), a change signal for a set of keys (level-triggered: the
 * current state is read from the source, so a late signal never publishes a stale state), and step-down.
 *
 * <p>The unit of publication is a source change (issue 21): the keys of one signal (a manifests scan, a
 * Kubernetes watch event, an informer's relist) are published in one transaction, and a takeover's
 * reconcile is one transaction that ends with the {@link SyncMarker} of this leader's initial list.
 *
 * <p>While this watcher should lead, it keeps trying: a takeover that fails because Kafka is unreachable,
 * the topic is missing or the log cannot be read is tried again after a back-off (0.5 s doubling to 10 s),
 * and so is a producer that became unusable without being fenced; leadership itself is not given up. Only
 * Kafka saying the producer was fenced ends this watcher's term: {@code onFenced} decides what then.
 */
final class Synchronizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Synchronizer.class);
    private static final long FIRST_RETRY_MS = 500;
    private static final long MAX_RETRY_MS = 10_000;

    private final KafkaConnection kafka;
    private final String clusterId;
    private final SourceView source;
    private final Clock clock;
    private final Runnable onFenced;
    private final ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "signalbox-watcher-sync");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong committed = new AtomicLong();
    private final Duration heartbeatInterval;
    /** The heartbeats of the current term; cancelled when it ends. */
    private java.util.concurrent.ScheduledFuture<?> heartbeats;
    private final Map<ObjectKey, LogEntry> log = new HashMap<>();
    private TransactionalPublisher publisher;
    /** A prepared, not yet fenced producer for the next takeover (Kubernetes source standby). */
    private TransactionalPublisher standby;
    /** While this watcher should lead: maps the highest epoch in the log to its own. Null otherwise. */
    private LongUnaryOperator term;
    private long retryMs = FIRST_RETRY_MS;
    private volatile long epoch;
    private volatile boolean leading;
    private WatcherMetrics metrics = new WatcherMetrics();

    /**
     * @param onFenced runs (on the sync thread, after publishing stopped) when Kafka says another producer
     *                 fenced this one; the caller decides whether to stand for leadership again
     */
    Synchronizer(KafkaConnection kafka, String clusterId, SourceView source, Clock clock, Runnable onFenced) {
        this(kafka, clusterId, source, clock, onFenced, WatcherConfig.DEFAULT_HEARTBEAT_INTERVAL);
    }

    /** @param heartbeatInterval how often a leader writes a {@link Heartbeat} (issue 14) */
    Synchronizer(KafkaConnection kafka, String clusterId, SourceView source, Clock clock, Runnable onFenced,
                 Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
        this.kafka = kafka;
        this.clusterId = clusterId;
        this.source = source;
        this.clock = clock;
        this.onFenced = onFenced;
        // A retry scheduled before close() must not run after it.
        loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Becomes the publisher: fences earlier producers, reads the log, publishes the difference; tries
     * again until it succeeds or {@link #stepDown} is called.
     *
     * @param epochFromLog maps the highest epoch in the log to this leader's epoch
     */
    void takeOver(LongUnaryOperator epochFromLog) {
        post(() -> {
            term = epochFromLog;
            attempt();
        });
    }

    /** As {@link #takeOver}, but after the retry back-off (after this watcher was fenced). */
    void takeOverLater(LongUnaryOperator epochFromLog) {
        post(() -> {
            term = epochFromLog;
            retryLater();
        });
    }

    private void attempt() {
        if (term == null || publisher != null) {
            return;
        }
        long started = System.nanoTime();
        TransactionalPublisher prepared = standby;
        standby = null;
        TransactionalPublisher p;
        try {
            p = prepared != null ? prepared : TransactionalPublisher.prepare(kafka, clusterId, committed);
        } catch (RuntimeException e) {
            failed("opening the transactional producer", e);
            return;
        }
        try {
            p.observe(metrics);
            p.fence();
        } catch (RuntimeException e) {
            p.close();
            if (TransactionErrors.isFencing(e)) {
                fenced(e);
            } else {
                failed("initialising the transactional producer (initTransactions)", e);
            }
            return;
        }
        long fenced = System.nanoTime();
        try {
            EventLogReader.LogView view = EventLogReader.read(kafka, clusterId, Duration.ofSeconds(30));
            long read = System.nanoTime();
            epoch = term.applyAsLong(view.maxEpoch());
            log.clear();
            log.putAll(view.entries());
            var listed = source.snapshot();
            List<Change> changes = LogDiff.reconcile(log, listed);
            publisher = p;
            // The whole initial list and the marker saying it is whole: one transaction.
            List<EventLogRecord> unit = new ArrayList<>();
            changes.forEach(c -> unit.add(record(c)));
            unit.add(SyncMarker.of(clusterId, epoch, clock.instant(), listed.size()));
            p.enqueue(unit);
            p.start(loss -> lost(p, loss));
            metrics.tookOver(changes.size());
            leading = true;
            startHeartbeats(p);
            retryMs = FIRST_RETRY_MS;
            LOG.info("leading cluster {} with epoch {}: {} keys in the log, {} events to reconcile, ready in {} ms "
                    + "(fencing {} ms, reading the log {} ms)", clusterId, epoch, view.entries().size(), changes.size(),
                    (System.nanoTime() - started) / 1_000_000, (fenced - started) / 1_000_000, (read - fenced) / 1_000_000);
        } catch (RuntimeException e) {
            publisher = null;
            log.clear();
            p.close();
            failed("reading the events log", e);
        }
    }

    /**
     * Queues a {@link Heartbeat} every interval while {@code p} publishes: a transaction of its own, or part of
     * whatever change is queued with it. The first one follows the takeover's reconcile by one interval (the sync
     * marker already says the leader is alive). Runs on the sync thread, so it reads {@link #log} safely.
     */
    private void startHeartbeats(TransactionalPublisher p) {
        long ms = heartbeatInterval.toMillis();
        heartbeats = loop.scheduleAtFixedRate(() -> {
            if (publisher == p) {
                int objects = (int) log.values().stream().filter(e -> !e.deleted()).count();
                p.enqueue(List.of(Heartbeat.of(clusterId, epoch, clock.instant(), objects)));
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** A takeover step failed without fencing: say why, truthfully, and try again later. */
    private void failed(String step, RuntimeException e) {
        LOG.warn("cluster {}: {} failed: {}; trying again in {} ms", clusterId, step, KafkaProblem.describe(kafka, e),
                retryMs);
        retryLater();
    }

    private void retryLater() {
        try {
            loop.schedule(this::attempt, retryMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("closing; no retry");
        }
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }

    /** Kafka said a newer producer holds the transactional id: this term is over. */
    private void fenced(Throwable e) {
        term = null;
        LOG.error("cluster {}: Kafka says this watcher's producer was fenced ({}); transactional id {} is now held by {}",
                clusterId, e.toString(), TransactionalPublisher.transactionalId(clusterId),
                KafkaProblem.holderOf(kafka, TransactionalPublisher.transactionalId(clusterId)));
        onFenced.run();
    }

    /**
     * The object under {@code key} may have changed. Any thread. Always queued, even during a takeover:
     * a change that lands after the takeover's snapshot is then handled right after it, not lost.
     */
    void changed(ObjectKey key) {
        changed(List.of(key));
    }

    /**
     * The objects under {@code keys} may have changed, as one source change (a manifests scan, a relist):
     * what changed among them is published in one transaction. Any thread; queued as {@link #changed(ObjectKey)}.
     */
    void changed(Collection<ObjectKey> keys) {
        List<ObjectKey> sorted = keys.stream().sorted().distinct().toList();
        post(() -> {
            if (publisher == null) {
                return;
            }
            List<EventLogRecord> unit = new ArrayList<>();
            for (ObjectKey key : sorted) {
                LogDiff.onChange(key, log.get(key), source.get(key).orElse(null)).ifPresent(c -> unit.add(record(c)));
            }
            publisher.enqueue(unit);
        });
    }

    /** The event for {@code c}, noted as what the log now says. */
    private EventLogRecord record(Change c) {
        var event = c.toEvent(clock.instant(), epoch);
        log.put(c.key(), c instanceof Change.Upsert u ? LogEntry.live(u.object())
                : LogEntry.tombstone(event.resourceVersion(), event.uid()));
        return event;
    }

    private void lost(TransactionalPublisher p, TransactionalPublisher.Loss loss) {
        post(() -> {
            if (publisher != p) {
                return;
            }
            stop();
            if (loss instanceof TransactionalPublisher.Loss.Fenced) {
                fenced(loss.cause());
            } else {
                // Not fenced: leadership stands; a new producer takes over (fencing the broken one) and reconciles.
                LOG.warn("cluster {}: the producer cannot be used again ({}); a new one takes over in {} ms",
                        clusterId, loss.cause().toString(), retryMs);
                retryLater();
            }
        });
    }

    /**
     * Prepares, off the takeover path, the producer the next takeover will fence with. Best effort: a
     * takeover without one prepares it then. Any thread.
     */
    void warmUp() {
        post(this::prepareStandby);
    }

    private void prepareStandby() {
        if (publisher != null || standby != null || loop.isShutdown()) {
            return;
        }
        try {
            standby = TransactionalPublisher.prepare(kafka, clusterId, committed);
        } catch (RuntimeException e) {
            LOG.debug("could not prepare a standby producer (the takeover will): {}", e.toString());
        }
    }

    /** Stops publishing (leadership lost). */
    void stepDown() {
        leading = false;
        if (!loop.isShutdown()) {
            post(() -> {
                term = null;
                stop();
            });
        }
    }

    private void stop() {
        leading = false;
        if (heartbeats != null) {
            heartbeats.cancel(false);
            heartbeats = null;
        }
        if (publisher != null) {
            publisher.close();
            publisher = null;
            log.clear();
            LOG.info("stopped publishing for cluster {}", clusterId);
        }
        prepareStandby();
    }

    /** Runs {@code task} on the sync thread; dropped once the watcher is closing. */
    private void post(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("closing; dropped a sync task");
        }
    }

    boolean isLeading() {
        return leading;
    }

    /** The epoch of the current or last term; 0 before the first. */
    long epoch() {
        return epoch;
    }

    /** Where this synchronizer's metrics go; set before the first takeover. */
    void metrics(WatcherMetrics m) {
        this.metrics = m;
    }

    long publishedEvents() {
        return committed.get();
    }

    /** Test hook: the current leader's publisher, or null. */
    TransactionalPublisher publisherForTest() {
        try {
            return loop.submit(() -> publisher).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (loop.isShutdown()) {
            return;
        }
        stepDown();
        loop.shutdown();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (standby != null) {
            standby.close();
            standby = null;
        }
    }
}
