package dev.signalbox.proxy.kafka;

import dev.signalbox.proxy.status.FeedHealth;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the snapshots topic on its own thread: applies the latest complete snapshot, then every newer
 * one. Every Kafka failure is retriable here (the proxy keeps serving its last table): it backs off, then
 * finds the latest snapshot again, since its position after a failure is unknown. Only {@link #close()}
 * stops it.
 * <p>
 * A consumer does not fail when its brokers are gone, it keeps retrying quietly; so after every poll the
 * follower reads its consumer's count of responses received ({@code response-total}, every response from
 * any broker: fetches, metadata, offsets) and tells {@link FeedHealth} of any progress, which judges
 * Kafka unreachable when the count stands still too long.
 */
public final class SnapshotFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFollower.class);
    private static final Duration LATEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    private final SnapshotLog log;
    private final Consumer<RoutingSnapshot> apply;
    private final FeedHealth health;
    private final Clock clock;
    private double responses;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    private SnapshotFollower(SnapshotLog log, Consumer<RoutingSnapshot> apply, FeedHealth health, Clock clock,
                             String threadName) {
        this.log = log;
        this.apply = apply;
        this.health = health;
        this.clock = clock;
        this.thread = new Thread(this::run, threadName);
    }

    public static SnapshotFollower start(SnapshotLog log, Consumer<RoutingSnapshot> apply, FeedHealth health,
                                         Clock clock, String threadName) {
        SnapshotFollower f = new SnapshotFollower(log, apply, health, clock, threadName);
        f.thread.start();
        return f;
    }

    private void run() {
        boolean positioned = false;
        try {
            while (stop.getCount() > 0) {
                try {
                    if (!positioned) {
                        long t0 = System.nanoTime();
                        Optional<RoutingSnapshot> latest = log.latest(LATEST_TIMEOUT);
                        LOG.info("found the latest snapshot ({}) in {} ms", latest.map(v -> "version " + v.version())
                                .orElse("none yet"), (System.nanoTime() - t0) / 1_000_000);
                        latest.ifPresent(apply);
                        positioned = true;
                    }
                    log.poll(POLL).forEach(apply);
                    noteResponses();
                } catch (WakeupException e) {
                    // close() woke us: the loop condition ends it.
                } catch (RuntimeException e) {
                    // Kafka errors and anything unexpected alike: keep serving the applied table, retry.
                    LOG.warn("reading snapshots failed, retrying in {}: {}", BACKOFF, e.toString(), e);
                    positioned = false;
                    noteResponses();
                    stop.await(BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            log.close();
        }
    }

    private void noteResponses() {
        double now = responsesReceived();
        if (now > responses) {
            health.contact(clock.instant());
        }
        responses = now;
    }

    /** The consumer's {@code consumer-metrics} {@code response-total}: responses from any broker so far. */
    private double responsesReceived() {
        for (var e : log.metrics().entrySet()) {
            if (e.getKey().name().equals("response-total") && e.getKey().group().equals("consumer-metrics")
                    && e.getValue().metricValue() instanceof Number n) {
                return n.doubleValue();
            }
        }
        return 0;
    }

    @Override
    public void close() {
        stop.countDown();
        log.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
