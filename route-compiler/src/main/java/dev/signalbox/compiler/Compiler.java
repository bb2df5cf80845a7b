package dev.signalbox.compiler;

import dev.signalbox.compiler.election.Election;
import dev.signalbox.compiler.election.LeaseRecord;
import dev.signalbox.compiler.election.LeaseTiming;
import dev.signalbox.compiler.election.LeaseView;
import dev.signalbox.compiler.kafka.CompilerLoop;
import dev.signalbox.compiler.kafka.LeaseLink;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running route-compiler, one of any number: exactly one of them is active (publishes), the others stand by
 * with a warm model and take over when it stops or stops renewing its lease.
 *
 * <p>Two threads. The election thread ({@code compiler-election}) reads the lease topic, asks
 * {@link Election#decide} what to do, and writes claims, renewals (while active) and a release (on close). The
 * life thread ({@code route-compiler}) lives {@link CompilerLoop} lives from the start: each stands by, following
 * the events and the snapshots, until this compiler wins a term; then it calls {@code initTransactions()} on the
 * shared transactional id, which fences the previous active compiler at the broker (a paused one's late writes
 * are rejected whatever it believes), catches up the tail and publishes.
 *
 * <p>This is the one place that decides fatal versus retriable: not authorised ends the compiler; a life that
 * ends by itself (fenced: another compiler took over, or any other end) is replaced by a standby life, which
 * competes again, so the compiler never stops for good while its process runs; any other Kafka error ends the
 * current loop, and after a back-off (250 ms doubling to 10 s) the same life starts another one, active at once
 * if it still holds the lease, recovering from the committed state. An error of the lease topic's I/O is retried
 * after a back-off too.
 */
public final class Compiler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Compiler.class);
    private static final Duration ELECTION_POLL = Duration.ofMillis(50);

    private final CompilerConfig config;
    private final LeaseTiming timing;
    private final String id = "compiler-" + UUID.randomUUID().toString().substring(0, 8);
    private final Thread election;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    /** The current life; replaced by the election thread only. */
    private volatile Life life;
    private volatile boolean closing;
    private volatile long publishedVersion;
    private volatile long activeTerm;
    private volatile Throwable fatal;
    private final CompilerMetrics metrics = new CompilerMetrics();
    /** Whether the next version is to go whole, for every life of this compiler. */
    private final java.util.concurrent.atomic.AtomicBoolean wholeRequested = new java.util.concurrent.atomic.AtomicBoolean();

    private Compiler(CompilerConfig config, LeaseTiming timing) {
        this.config = config;
        this.timing = timing;
        this.election = new Thread(this::elect, "compiler-election");
    }

    /** Starts a compiler with the default lease (2 s). */
    public static Compiler start(CompilerConfig config) {
        return start(config, LeaseTiming.DEFAULT);
    }

    public static Compiler start(CompilerConfig config, LeaseTiming timing) {
        Compiler c = new Compiler(config, timing);
        c.election.start();
        return c;
    }

    private void elect() {
        long backoffMs = 250;
        try {
            while (!closing) {
                try (LeaseLink link = new LeaseLink(config.kafka(), timing.leaseTime())) {
                    LOG.info("compiler {} competes for the lease (lease time {} ms)", id, timing.leaseTime().toMillis());
                    follow(link);
                    backoffMs = 250;
                } catch (AuthorizationException e) {
                    fatal = e;
                    LOG.error("not authorised on the lease topic; the compiler stops", e);
                    return;
                } catch (RuntimeException e) {
                    if (life != null && life.term > 0) {
                        endLife();
                    }
                    if (closing) {
                        return;
                    }
                    LOG.warn("compiler {} stands by after a lease topic error, retrying in {} ms: {}", id, backoffMs, e.toString());
                    if (!sleep(backoffMs)) {
                        return;
                    }
                    backoffMs = Math.min(backoffMs * 2, 10_000);
                }
            }
        } finally {
            endLife();
            stopped.countDown();
        }
    }

    /** Reads the lease and acts on it until closed; on close, releases the lease if held. */
    private void follow(LeaseLink link) {
        LeaseView view = LeaseView.NONE;
        long lastRenewal = 0;
        long leaseNanos = timing.leaseTime().toNanos();
        while (!closing) {
            for (LeaseLink.Heard h : link.poll(ELECTION_POLL)) {
                LeaseView before = view;
                view = view.apply(h.record(), h.at());
                if (view.term() != before.term() || view.released() != before.released()) {
                    LOG.info("compiler {}: lease term {} {} by {}", id, view.term(), view.released() ? "released" : "held",
                            view.holder());
                }
            }
            if (fatal != null) {
                return;
            }
            if (life != null && !life.thread.isAlive()) {
                // The life ended by itself (fenced): this very life's end, never an older one's.
                endLife();
                if (view.heldBy(id)) {
                    // Fenced while holding the lease: whoever fenced it did so without a claim; let everyone compete.
                    LeaseRecord release = new LeaseRecord(LeaseRecord.Kind.RELEASE, view.term(), id);
                    link.write(release);
                    view = view.apply(release, System.nanoTime());
                }
            }
            if (life == null) {
                startLife();
            }
            long now = System.nanoTime();
            Election.Decision d = Election.decide(view, id, now, leaseNanos, life.term > 0);
            if (d instanceof Election.Lead lead) {
                if (life.term == 0) {
                    LOG.info("compiler {} is active for term {}", id, lead.term());
                    life.term = lead.term();
                    activeTerm = lead.term();
                    metrics.active(true);
                    lastRenewal = 0;
                }
                if (lastRenewal == 0 || now - lastRenewal >= timing.renewal().toNanos()) {
                    link.send(new LeaseRecord(LeaseRecord.Kind.RENEW, lead.term(), id));
                    lastRenewal = now;
                }
            } else if (d instanceof Election.Claim claim) {
                long offset = link.write(new LeaseRecord(LeaseRecord.Kind.CLAIM, claim.term(), id));
                // Read up to the own claim before deciding again: the first claim of the term wins.
                while (link.position() <= offset && !closing) {
                    for (LeaseLink.Heard h : link.poll(ELECTION_POLL)) {
                        view = view.apply(h.record(), h.at());
                    }
                }
            } else if (d instanceof Election.StepDown) {
                LOG.info("compiler {} steps down to standby: lease term {} is {}", id, view.term(),
                        view.holder().equals(id) ? "out of time" : "held by " + view.holder());
                endLife();
            }
        }
        boolean wasActive = life != null && life.term > 0;
        if (wasActive && view.heldBy(id)) {
            // Hand-over: stop publishing, then release, so a standby takes over as soon as it reads this, not a lease
            // time later (its initTransactions() would fence a late write of this one anyway).
            life.stopLoop();
            link.write(new LeaseRecord(LeaseRecord.Kind.RELEASE, view.term(), id));
            LOG.info("compiler {} released lease term {}", id, view.term());
        }
        endLife();
    }

    /** Starts a standby life. */
    private void startLife() {
        life = new Life();
        life.thread.start();
    }

    /** Stops the current life, if any, and waits for it. */
    private void endLife() {
        Life l = life;
        if (l == null) {
            return;
        }
        l.stopLoop();
        try {
            l.thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        life = null;
        activeTerm = 0;
        metrics.active(false);
    }

    /**
     * One life: {@link CompilerLoop} loops on one thread, standing by until the election thread sets {@link #term},
     * then publishing for it. Its flags are its own, so a slow old life cannot act on, or for, its successor.
     */
    private final class Life {
        /** Whether this life should go on. */
        final AtomicBoolean wanted = new AtomicBoolean(true);
        /** The term this life publishes for; 0 while it stands by. Set by the election thread. */
        volatile long term;
        volatile CompilerLoop loop;
        final Thread thread = new Thread(this::live, "route-compiler");

        /** Ends the life: its running loop stops, no new loop starts. No interrupt: Kafka clients would skip their close. */
        void stopLoop() {
            wanted.set(false);
            CompilerLoop l = loop;
            if (l != null) {
                l.stop();
            }
        }

        private void live() {
            long backoffMs = 250;
            while (wanted.get()) {
                try (CompilerLoop l = new CompilerLoop(config, v -> publishedVersion = v, metrics).wholeOnRequest(wholeRequested)) {
                    loop = l;
                    if (!wanted.get()) {
                        return;
                    }
                    l.run(() -> term > 0);
                    backoffMs = 250;
                } catch (ProducerFencedException | InvalidProducerEpochException e) {
                    LOG.warn("compiler {} was fenced by another compiler with transactional id {}; back to standby: {}", id,
                            config.transactionalId(), e.getMessage());
                    metrics.aborted("fenced");
                    return;
                } catch (AuthorizationException e) {
                    fatal = e;
                    LOG.error("not authorised to publish snapshots; the compiler stops", e);
                    closing = true;
                    closeRequested.countDown();
                    return;
                } catch (RuntimeException e) {
                    if (!wanted.get()) {
                        return;
                    }
                    if (term > 0) {
                        // An active loop's open transaction is left to the next initTransactions() to abort.
                        metrics.aborted("error");
                    }
                    LOG.warn("compiler {} {} restarts after a Kafka error in {} ms: {}", id, term > 0 ? "(active)" : "(standby)",
                            backoffMs, e.toString());
                    if (!sleep(backoffMs)) {
                        return;
                    }
                    backoffMs = Math.min(backoffMs * 2, 10_000);
                }
            }
        }
    }

    /**
     * Has the next version this compiler publishes sent whole, not as a delta (a full snapshot on request, issue 15):
     * for instance before records older than it are deleted, so that it and what follows stay readable. A request
     * made on a standby is served when it takes over.
     */
    public void publishNextVersionWhole() {
        wholeRequested.set(true);
    }

    /** Backs off until the next try, or returns false at once when closed. */
    private boolean sleep(long ms) {
        try {
            return !closeRequested.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** This compiler's metrics, for its admin port; {@link CompilerMetrics#active} is set by the election here. */
    public CompilerMetrics metrics() {
        return metrics;
    }

    /**
     * Readiness (/readyz): a standby once its model is rebuilt and follows the events (warm: it is there to take
     * over); the active compiler once its model is current and it publishes (not catching up with the log, not held
     * back by a cluster's initial list); a compiler stopped for good (not authorised) is not.
     */
    public dev.signalbox.observability.Health health() {
        Life l = life;
        CompilerLoop loop = l == null ? null : l.loop;
        return health(id, fatal != null, isActive(), loop != null && loop.standingBy(), loop != null && loop.publishing(),
                activeTerm, publishedVersion);
    }

    /** The readiness decision of {@link #health()}, on what it read. */
    static dev.signalbox.observability.Health health(String id, boolean stopped, boolean active, boolean warmStandby,
                                                     boolean publishing, long term, long publishedVersion) {
        String status = stopped ? "stopped" : active ? (publishing ? "active" : "catching-up")
                : warmStandby ? "standby" : "warming-up";
        return new dev.signalbox.observability.Health(!stopped && (active ? publishing : warmStandby), status,
                java.util.Map.of("id", id, "active", active, "term", term, "publishedVersion", publishedVersion));
    }

    /** The last version this compiler published (0 before its first). */
    public long publishedVersion() {
        return publishedVersion;
    }

    /** True while this compiler holds the lease and publishes (or catches up to publish). */
    public boolean isActive() {
        return activeTerm > 0;
    }

    /** True while this compiler stands by with a warm model (following the events), ready to take over. */
    public boolean isWarmStandby() {
        Life l = life;
        CompilerLoop loop = l == null ? null : l.loop;
        return loop != null && loop.standingBy();
    }

    /** The lease term this compiler is active for, 0 while it stands by. */
    public long activeTerm() {
        return activeTerm;
    }

    /** This compiler's name in the lease topic. */
    public String id() {
        return id;
    }

    /** The error that stopped this compiler for good (not authorised), or null while it runs. */
    public Throwable fatalError() {
        return fatal;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Waits until the compiler stopped by itself (not authorised) or was closed. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        closing = true;
        closeRequested.countDown();
        try {
            election.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
