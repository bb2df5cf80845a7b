package dev.signalbox.proxy.netty;

import dev.signalbox.schemas.snapshot.Endpoint;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

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

    /** An open idle connection to {@code endpoint}, or null. */
    Channel poll(Endpoint endpoint) {
        ArrayDeque<Channel> q = idle.get(endpoint);
        while (q != null && !q.isEmpty()) {
            Channel c = q.pollFirst();
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
        if (q.size() > MAX_IDLE_PER_ENDPOINT) {
            q.pollLast().close();
        }
        // Keep a read pending so a close by the backend is noticed while the connection idles.
        channel.read();
    }

    /** Called once per new connection: a closed connection leaves the pool. */
    void forgetOnClose(Endpoint endpoint, Channel channel) {
        channel.closeFuture().addListener(f -> {
            ArrayDeque<Channel> q = idle.get(endpoint);
            if (q != null) {
                q.remove(channel);
                if (q.isEmpty()) {
                    idle.remove(endpoint);
                }
            }
        });
    }
}
