package dev.signalbox.proxy.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The open client connections of the public listeners, so a shutdown can drain them. On {@link #DRAIN}
 * ({@link FrontendHandler}) an HTTP/1.1 connection between requests is closed after {@link #IDLE_GRACE}
 * unless a request came meanwhile, one with a request under way answers it with {@code Connection: close}
 * and then closes; a tunnel (an upgraded WebSocket connection) stays until the drain timeout
 * ({@link #closeRemaining}); an HTTP/2 connection, or one still in its TLS handshake, is closed, which for HTTP/2
 * sends GOAWAY and lets its open streams finish (RFC 9113 6.8). Thread-safe: the group removes a
 * connection when it closes; drains run on each connection's event loop.
 */
final class ClientConnections {
    /** The user event that tells a connection's {@link FrontendHandler} to finish and close. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };
    static final String TRACK = "track";
    /**
     * How long a draining connection that is idle between requests stays open: a client that sends on it
     * meanwhile is answered, with Connection: close, instead of finding it closed under its request.
     */
    static final Duration IDLE_GRACE = Duration.ofSeconds(1);

    private final ChannelGroup open = new DefaultChannelGroup("signalbox-clients", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;

    /** Wraps a listener's initializer so every connection it sets up is tracked. */
    ChannelHandler tracking(ChannelHandler initializer) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                open.add(ch);
                ch.pipeline().addLast(TRACK, initializer);
                if (draining) {
                    // Accepted as the listener closed: drained like the others, once its pipeline is set up.
                    ch.eventLoop().execute(() -> drain(ch));
                }
            }
        };
    }

    /** Asks every open connection to finish, on its own event loop. */
    void drain() {
        draining = true;
        for (Channel ch : open) {
            ch.eventLoop().execute(() -> drain(ch));
        }
    }

    private static void drain(Channel ch) {
        if (ch.pipeline().get(FrontendHandler.class) != null || Tunnel.isTunnel(ch)) {
            ch.pipeline().fireUserEventTriggered(DRAIN);
        } else {
            ch.close();
        }
    }

    /** Waits until every tracked connection closed or {@code deadlineNanos} (nanoTime) passed. */
    void awaitClosed(long deadlineNanos) {
        // A connection accepted just before the listener closed may join the group after the first look.
        while (open.size() > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !open.newCloseFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left))) {
                return;
            }
        }
    }

    /**
     * At the end of a drain: closes every connection still open (tunnels, responses too slow to finish), each on
     * its event loop, after flushing what it was sent.
     */
    void closeRemaining() {
        for (Channel ch : open) {
            ch.eventLoop().execute(() -> Tunnel.close(ch));
        }
    }

    int size() {
        return open.size();
    }
}
