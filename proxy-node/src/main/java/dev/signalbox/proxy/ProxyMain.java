package dev.signalbox.proxy;

import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.StartupTopics;
import dev.signalbox.snapshotlog.topics.TopicsException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one proxy node from a configuration read once by {@code bin/ingress proxy} (the launcher module parses
 * the command line) and stops it gracefully on SIGTERM, draining for at most {@code drainTimeout} (see
 * {@link ProxyNode#drain}). Blocks the caller's thread until then. While the node starts (its listeners
 * open at once, serving nothing until a snapshot arrives) the caller's thread checks the snapshots topic,
 * creating it unless told not to; a topic that cannot serve stops the node.
 */
public final class ProxyMain {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyMain.class);

    private ProxyMain() {
    }

    /**
     * @param createTopics create the snapshots topic when missing (false: a missing topic stops the node)
     * @return 0 after SIGTERM, 1 when the snapshots topic is missing or would break Signalbox
     */
    public static int run(ProxyConfig config, Duration drainTimeout, boolean createTopics) throws InterruptedException {
        return run(config, drainTimeout, createTopics, dev.signalbox.proxy.accesslog.AccessLogConfig.OFF);
    }

    /** As {@link #run(ProxyConfig, Duration, boolean)}, with the access log {@code accessLog} asks for. */
    public static int run(ProxyConfig config, Duration drainTimeout, boolean createTopics,
                          dev.signalbox.proxy.accesslog.AccessLogConfig accessLog) throws InterruptedException {
        ProxyNode node = ProxyNode.start(config, accessLog);
        try {
            StartupTopics.ensure("proxy", config.kafka(),
                    List.of(TopicRequirements.snapshots(SnapshotChunk.DEFAULT_CHUNK_BYTES), TopicRequirements.proxyAcks()),
                    createTopics);
        } catch (TopicsException e) {
            LOG.error(e.getMessage());
            node.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.drain(drainTimeout);
            } finally {
                node.close();
                stopped.countDown();
            }
        }, "signalbox-proxy-shutdown"));
        stopped.await();
        return 0;
    }
}
