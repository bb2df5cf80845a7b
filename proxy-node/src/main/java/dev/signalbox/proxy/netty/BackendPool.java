package dev.signalbox.proxy.netty;

import dev.signalbox.schemas.snapshot.Endpoint;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Idle keep-alive connections to backends, for one event loop and touched only from it (Armeria's
 * HttpChannelPool): no locks. The most recently released connection is handed out first, so a burst
 * reuses few warm connections and the rest age out on the backend's idle timeout.
 */
final class BackendPool {
    /**
     * As many as a busy loop has in use at once: a smaller cap closes connections that the next burst must open
     * again; at 256 client connections the former cap of 64 was below what one loop holds in use.
     */
    private static final int MAX_IDLE_PER_ENDPOINT = 1024;

    private final Map<Endpoint, ArrayDeque<Channel>> idle = new HashMap<>();
    /** Idle connections of every pool of the proxy, for the metrics: the one count read from other threads. */
    private final LongAdder idleTotal;

    BackendPool(LongAdder idleTotal) {
        this.idleTotal = idleTotal;
    }

    /** An open idle connection to {@code endpoint}, or null. */
    Channel poll(Endpoint endpoint) {
        ArrayDeque<Channel> q = idle.get(endpoint);
        while (q != null && !q.isEmpty()) {
            Channel c = q.pollFirst();
            idleTotal.decrement();
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    void release(Endpoint endpoint, Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        ArrayDeque<Channel> q = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        q.addFirst(channel);
        idleTotal.increment();
        if (q.size() > MAX_IDLE_PER_ENDPOINT) {
            q.pollLast().close();
            idleTotal.decrement();
        }
        // Keep a read pending so a close by the backend is noticed while the connection idles.
        channel.read();
    }

    /** Called once per new connection: a closed connection leaves the pool. */
    void forgetOnClose(Endpoint endpoint, Channel channel) {
        channel.closeFuture().addListener(f -> {
            ArrayDeque<Channel> q = idle.get(endpoint);
            if (q != null) {
                if (q.remove(channel)) {
                    idleTotal.decrement();
                }
                if (q.isEmpty()) {
                    idle.remove(endpoint);
                }
            }
        });
    }
}
