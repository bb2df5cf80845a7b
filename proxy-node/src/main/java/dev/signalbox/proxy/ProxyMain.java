package dev.signalbox.proxy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one proxy node from a configuration read once by {@code bin/ingress proxy} (the launcher module parses
 * the command line) and stops it gracefully on SIGTERM, draining for at most {@code drainTimeout} (see
 * {@link ProxyNode#drain}). Blocks the caller's thread until then.
 */
public final class ProxyMain {
    private ProxyMain() {
    }

    public static void run(ProxyConfig config, Duration drainTimeout) throws InterruptedException {
        ProxyNode node = ProxyNode.start(config);
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
    }
}
