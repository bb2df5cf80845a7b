package dev.signalbox.compiler;

import dev.signalbox.compiler.election.Election;
import dev.signalbox.compiler.election.LeaseRecord;
import dev.signalbox.compiler.election.LeaseTiming;
import dev.signalbox.compiler.election.LeaseView;
import dev.signalbox.compiler.kafka.CompilerLoop;
import dev.signalbox.compiler.kafka.LeaseLink;
import dev.signalbox.compiler.kafka.StandbyWarmup;
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
 * and take over when it stops or stops renewing its lease.
 *
 * <p>Two threads. The election thread ({@code compiler-election}) reads the lease topic, asks
 * {@link Election#decide} what to do, and writes claims, renewals (while active) and a release (on close). When
 * this compiler wins a term, the life thread ({@code route-compiler}) lives {@link CompilerLoop} lives: each
 * starts with {@code initTransactions()} on the shared transactional id, which fences the previous active
 * compiler at the broker, so a paused one's late writes are rejected whatever it believes.
 *
 * <p>This is the one place that decides fatal versus retriable: not authorised ends the compiler; fenced
 * (another compiler took over) ends the current life and this compiler goes back to standby, competing again;
 * any other Kafka error ends the current life, and after a back-off (250 ms doubling to 10 s) a new one, still
 * holding the lease, recovers from the committed state and goes on. An error of the lease topic's I/O is
 * retried after a back-off too, as a standby.
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
    /** The life thread while this compiler is active; touched by the election thread only. */
    private Thread life;
    /** Whether the current life thread should go on; each life has its own, so a slow old one cannot revive. */
    private AtomicBoolean lifeWanted = new AtomicBoolean();
    private volatile CompilerLoop current;
    private volatile boolean fenced;
    /** Whether this compiler ran its one standby warm-up (election thread only). */
    private boolean warmedUp;
    private volatile boolean closing;
    private volatile long publishedVersion;
    private volatile long activeTerm;
    private volatile Throwable fatal;

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
                    endLife();
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
            if (fenced) {
                fenced = false;
                endLife();
                if (view.heldBy(id)) {
                    // Fenced while holding the lease: whoever fenced it did so without a claim; let everyone compete.
                    link.write(new LeaseRecord(LeaseRecord.Kind.RELEASE, view.term(), id));
                }
                continue;
            }
            long now = System.nanoTime();
            Election.Decision d = Election.decide(view, id, now, leaseNanos, life != null);
            if (d instanceof Election.Lead lead) {
                if (life == null) {
                    LOG.info("compiler {} is active for term {}", id, lead.term());
                    startLife(lead.term());
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
            } else if (d instanceof Election.StandBy && !warmedUp) {
                warmedUp = true;
                Thread w = new Thread(() -> StandbyWarmup.run(config), "compiler-warmup");
                w.setDaemon(true);
                w.start();
            } else if (d instanceof Election.StepDown) {
                LOG.info("compiler {} steps down to standby: lease term {} is {}", id, view.term(),
                        view.holder().equals(id) ? "out of time" : "held by " + view.holder());
                endLife();
            }
        }
        boolean wasActive = life != null;
        endLife();
        if (wasActive && view.heldBy(id)) {
            // Hand-over: a standby takes over as soon as it reads this, not a lease time later.
            link.write(new LeaseRecord(LeaseRecord.Kind.RELEASE, view.term(), id));
            LOG.info("compiler {} released lease term {}", id, view.term());
        }
    }

    private void startLife(long term) {
        activeTerm = term;
        AtomicBoolean wanted = new AtomicBoolean(true);
        lifeWanted = wanted;
        fenced = false;
        life = new Thread(() -> live(wanted), "route-compiler");
        life.start();
    }

    /** Stops the active life, if any, and waits for it. */
    private void endLife() {
        Thread t = life;
        if (t == null) {
            return;
        }
        lifeWanted.set(false);
        // No interrupt: Kafka clients turn it into an InterruptException and skip their orderly close.
        CompilerLoop loop = current;
        if (loop != null) {
            loop.stop();
        }
        try {
            t.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        life = null;
        activeTerm = 0;
    }

    /** The life thread: CompilerLoop lives while this compiler holds the lease. */
    private void live(AtomicBoolean wanted) {
        long backoffMs = 250;
        while (wanted.get()) {
            CompilerLoop mine = null;
            try (CompilerLoop loop = new CompilerLoop(config, v -> publishedVersion = v)) {
                mine = loop;
                current = loop;
                if (!wanted.get()) {
                    return;
                }
                loop.run();
                backoffMs = 250;
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                LOG.warn("compiler {} was fenced by another compiler with transactional id {}; back to standby: {}", id,
                        config.transactionalId(), e.getMessage());
                fenced = true;
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
                LOG.warn("compiler restarts after a Kafka error in {} ms: {}", backoffMs, e.toString());
                if (!sleep(backoffMs)) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            } finally {
                // Only this life's loop: an old life that outlived endLife's wait must not blank its successor's.
                if (current == mine) {
                    current = null;
                }
            }
        }
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

    /** The last version this compiler published (0 before its first). */
    public long publishedVersion() {
        return publishedVersion;
    }

    /** True while this compiler holds the lease and publishes (or recovers to publish). */
    public boolean isActive() {
        return activeTerm > 0;
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
