package dev.signalbox.compiler;

import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.StartupTopics;
import dev.signalbox.snapshotlog.topics.TopicsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one route-compiler against an external Kafka from a configuration read once by
 * {@code bin/ingress compiler} (the launcher module parses the command line). First checks the three topics
 * (creating the missing ones unless told not to); stops cleanly on SIGTERM.
 */
public final class CompilerMain {
    private static final Logger LOG = LoggerFactory.getLogger(CompilerMain.class);
    /** The exit status when the topics are missing or would break Signalbox. */
    public static final int TOPICS_NOT_READY = 1;
    /** The exit status when another compiler fenced this one. */
    public static final int FENCED = 3;

    private CompilerMain() {
    }

    /**
     * Blocks the caller's thread until the compiler stops; 0, {@link #FENCED}, or {@link #TOPICS_NOT_READY}.
     *
     * @param createTopics create a missing topic at start (false: a missing topic stops the compiler)
     */
    public static int run(CompilerConfig config, boolean createTopics) throws InterruptedException {
        try {
            StartupTopics.ensure("compiler", config.kafka(),
                    TopicRequirements.all(TopicRequirements.DEFAULT_EVENT_PARTITIONS, config.chunkBytes()), createTopics);
        } catch (TopicsException e) {
            LOG.error(e.getMessage());
            return TOPICS_NOT_READY;
        }
        Compiler compiler = Compiler.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(compiler::close, "compiler-shutdown"));
        compiler.awaitStop();
        return compiler.fatalError() != null ? FENCED : 0;
    }
}
