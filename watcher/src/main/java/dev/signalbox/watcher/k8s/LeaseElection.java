package dev.signalbox.watcher.k8s;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a coordination.k8s.io/v1 Lease with fabric8's {@code LeaderElector}. The elector
 * has its own client without retries and with a request timeout below leaseDuration - renewDeadline, so
 * an isolated leader notices in time that it lost (with fabric8's default retries it keeps believing it
 * leads for ~17 s). Callbacks run on the elector's threads and must not block.
 */
public final class LeaseElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseElection.class);

    /** Timings and names of one election. */
    public record Settings(String namespace, String name, String identity, Duration leaseDuration,
                           Duration renewDeadline, Duration retryPeriod) {
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final LongConsumer onStart;
    private final Runnable onStop;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "signalbox-lease-election");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<?> running;
    private boolean closed;

    /**
     * @param base    the informers' client; the elector derives its own from its configuration
     * @param onStart called with the leader epoch (the Lease's leaseTransitions) on becoming leader
     * @param onStop  called on losing leadership
     */
    public LeaseElection(KubernetesClient base, Settings settings, LongConsumer onStart, Runnable onStop) {
        long margin = settings.leaseDuration().minus(settings.renewDeadline()).toMillis();
        // Each request must fail before the lease could expire under us: no retries, a short timeout.
        int timeout = (int) Math.max(100, margin * 4 / 5);
        this.client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(base.getConfiguration())
                .withRequestRetryBackoffLimit(0)
                .withRequestTimeout(timeout)
                .withConnectionTimeout(timeout)
                .build()).build();
        this.settings = settings;
        this.onStart = onStart;
        this.onStop = onStop;
    }

    public synchronized void start() {
        if (closed || running != null) {
            return;
        }
        EpochLeaseLock lock = new EpochLeaseLock(settings.namespace(), settings.name(), settings.identity());
        var config = new LeaderElectionConfigBuilder()
                .withName("signalbox-watcher")
                .withLock(lock)
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> onStart.accept(lock.transitions),
                        onStop,
                        leader -> LOG.info("leader of {}/{} is now {}", settings.namespace(), settings.name(), leader)))
                .build();
        CompletableFuture<?> f = new LeaderElectorBuilder(client, executor).withConfig(config).build().start();
        running = f;
        // fabric8's elector ends for good once it loses the Lease (a renewal timed out): stand again.
        f.whenComplete((ok, error) -> rejoinAfter(f));
    }

    private synchronized void rejoinAfter(CompletableFuture<?> ended) {
        if (!closed && running == ended) {
            running = null;
            LOG.info("election for {}/{} ended; standing again", settings.namespace(), settings.name());
            start();
        }
    }

    /** Leaves the election and joins it again (after the publisher was fenced). Any thread. */
    public synchronized void restart() {
        stopElector();
        start();
    }

    private void stopElector() {
        CompletableFuture<?> f = running;
        // Cleared first: the cancelled future's completion must not start a new election by itself.
        running = null;
        if (f != null) {
            f.cancel(true);
        }
    }

    /** Cancels the election (releasing the Lease) before closing its client, so the loop ends cleanly. */
    @Override
    public synchronized void close() {
        closed = true;
        stopElector();
        client.close();
        executor.shutdownNow();
    }

    /** Remembers the leaseTransitions this candidate last wrote: its epoch once it leads. */
    private static final class EpochLeaseLock extends LeaseLock {
        volatile long transitions;

        EpochLeaseLock(String namespace, String name, String identity) {
            super(namespace, name, identity);
        }

        @Override
        public synchronized void create(KubernetesClient client, LeaderElectionRecord record) {
            super.create(client, record);
            transitions = record.getLeaderTransitions();
        }

        @Override
        public synchronized void update(KubernetesClient client, LeaderElectionRecord record) {
            super.update(client, record);
            transitions = record.getLeaderTransitions();
        }
    }
}
