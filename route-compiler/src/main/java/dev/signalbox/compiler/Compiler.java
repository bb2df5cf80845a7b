package dev.signalbox.compiler;

import dev.signalbox.compiler.kafka.CompilerLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running route-compiler: a thread that lives {@link CompilerLoop} lives. This is the one place that
 * decides fatal versus retriable: fenced by another compiler or not authorised ends it for good; any
 * other Kafka error ends the current life, and after a back-off a new one fences the old producer,
 * recovers from the committed state and goes on.
 */
public final class Compiler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Compiler.class);

    private final CompilerConfig config;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private volatile CompilerLoop current;
    private volatile boolean closing;
    private volatile long publishedVersion;
    private volatile Throwable fatal;

    private Compiler(CompilerConfig config) {
        this.config = config;
        this.thread = new Thread(this::supervise, "route-compiler");
    }

    public static Compiler start(CompilerConfig config) {
        Compiler c = new Compiler(config);
        c.thread.start();
        return c;
    }

    private void supervise() {
        long backoffMs = 250;
        try {
            while (!closing) {
                try (CompilerLoop loop = new CompilerLoop(config, v -> publishedVersion = v)) {
                    current = loop;
                    if (closing) {
                        return;
                    }
                    loop.run();
                    backoffMs = 250;
                } catch (ProducerFencedException | InvalidProducerEpochException e) {
                    fatal = e;
                    LOG.error("another compiler with transactional id {} took over; this one stops: {}",
                            config.transactionalId(), e.getMessage());
                    return;
                } catch (AuthorizationException e) {
                    fatal = e;
                    LOG.error("not authorised to publish snapshots; the compiler stops", e);
                    return;
                } catch (RuntimeException e) {
                    if (closing) {
                        return;
                    }
                    LOG.warn("compiler restarts after a Kafka error in {} ms: {}", backoffMs, e.toString());
                    if (!sleep(backoffMs)) {
                        return;
                    }
                    backoffMs = Math.min(backoffMs * 2, 10_000);
                } finally {
                    current = null;
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Backs off until the next life, or returns false at once when closed. */
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

    /** The error that stopped this compiler for good, or null while it runs. */
    public Throwable fatalError() {
        return fatal;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Waits until the compiler stopped by itself (fenced) or was closed. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        closing = true;
        closeRequested.countDown();
        // No interrupt: Kafka clients turn it into an InterruptException and skip their orderly close.
        CompilerLoop loop = current;
        if (loop != null) {
            loop.stop();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
