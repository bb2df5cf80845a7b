package dev.signalbox.compiler;

import dev.signalbox.compiler.election.LeaseTiming;
import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.StartupTopics;
import dev.signalbox.snapshotlog.topics.TopicsException;
import dev.signalbox.observability.AdminServer;
import dev.signalbox.observability.Health;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one route-compiler against an external Kafka from a configuration read once by
 * {@code bin/ingress compiler} (the launcher module parses the command line). First checks the topics
 * (creating the missing ones unless told not to); stops cleanly on SIGTERM, handing the lease over to a
 * standby if it was the active compiler.
 */
public final class CompilerMain {
    private static final Logger LOG = LoggerFactory.getLogger(CompilerMain.class);
    /** The exit status when the topics are missing or would break Signalbox. */
    public static final int TOPICS_NOT_READY = 1;
    /** The exit status when the compiler is not authorised on its topics. */
    public static final int NOT_AUTHORISED = 3;

    private CompilerMain() {
    }

    /**
     * Blocks the caller's thread until the compiler stops; 0, {@link #NOT_AUTHORISED}, or {@link #TOPICS_NOT_READY}.
     *
     * @param createTopics create a missing topic at start (false: a missing topic stops the compiler)
     * @param adminPort    the admin port (/healthz, /readyz, /metrics) on all addresses; 0 picks a free one
     */
    public static int run(CompilerConfig config, LeaseTiming lease, boolean createTopics, int adminPort)
            throws InterruptedException {
        // Served from the start, so a liveness probe is answered while the topics are checked.
        AtomicReference<Compiler> running = new AtomicReference<>();
        try (AdminServer admin = AdminServer.start("compiler", "0.0.0.0", adminPort, new CompilerMetrics().registry(),
                () -> {
                    Compiler c = running.get();
                    return c == null ? new Health(false, "starting", Map.of()) : c.health();
                })) {
            return run(config, lease, createTopics, admin, running);
        }
    }

    /** Whole versions on request: at most one accepted per this long, whoever asks. */
    static final java.time.Duration WHOLE_REQUEST_INTERVAL = java.time.Duration.ofMinutes(1);

    /**
     * POST /snapshot/whole on the admin port: the next version this compiler publishes goes whole, not as a delta
     * (issue 15's full snapshot on request), e.g. before older snapshot records are deleted. At most one request a
     * minute is accepted: the admin port is open to the cluster's network, and a whole version at 10,000 Ingresses is
     * megabytes to every proxy, so a caller looping on it cannot turn every change into one.
     */
    public static void wholeOnRequest(AdminServer admin, Compiler compiler) {
        java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong(
                System.nanoTime() - WHOLE_REQUEST_INTERVAL.toNanos());
        admin.action("/snapshot/whole", () -> {
            long now = System.nanoTime();
            long last = accepted.get();
            if (now - last < WHOLE_REQUEST_INTERVAL.toNanos() || !accepted.compareAndSet(last, now)) {
                return "not accepted: compiler " + compiler.id() + " accepted a request less than "
                        + WHOLE_REQUEST_INTERVAL.toSeconds() + " s ago (at most one a minute)";
            }
            compiler.publishNextVersionWhole();
            return "the next version compiler " + compiler.id() + " publishes goes whole"
                    + (compiler.isActive() ? "" : " (it stands by: when it takes over)");
        });
    }

    private static int run(CompilerConfig config, LeaseTiming lease, boolean createTopics, AdminServer admin,
                           AtomicReference<Compiler> running) throws InterruptedException {
        try {
            StartupTopics.ensure("compiler", config.kafka(),
                    TopicRequirements.all(TopicRequirements.DEFAULT_EVENT_PARTITIONS, config.chunkBytes()), createTopics);
        } catch (TopicsException e) {
            LOG.error(e.getMessage());
            return TOPICS_NOT_READY;
        }
        Compiler compiler = Compiler.start(config, lease);
        admin.serve(compiler.metrics().registry());
        wholeOnRequest(admin, compiler);
        running.set(compiler);
        Runtime.getRuntime().addShutdownHook(new Thread(compiler::close, "compiler-shutdown"));
        compiler.awaitStop();
        return compiler.fatalError() != null ? NOT_AUTHORISED : 0;
    }
}
