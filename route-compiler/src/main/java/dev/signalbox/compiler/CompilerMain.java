package dev.signalbox.compiler;

import dev.signalbox.compiler.election.LeaseTiming;
import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.StartupTopics;
import dev.signalbox.snapshotlog.topics.TopicsException;
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
     */
    public static int run(CompilerConfig config, LeaseTiming lease, boolean createTopics) throws InterruptedException {
        try {
            StartupTopics.ensure("compiler", config.kafka(),
                    TopicRequirements.all(TopicRequirements.DEFAULT_EVENT_PARTITIONS, config.chunkBytes()), createTopics);
        } catch (TopicsException e) {
            LOG.error(e.getMessage());
            return TOPICS_NOT_READY;
        }
        Compiler compiler = Compiler.start(config, lease);
        Runtime.getRuntime().addShutdownHook(new Thread(compiler::close, "compiler-shutdown"));
        compiler.awaitStop();
        return compiler.fatalError() != null ? NOT_AUTHORISED : 0;
    }
}
