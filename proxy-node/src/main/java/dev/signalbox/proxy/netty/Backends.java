package dev.signalbox.proxy.netty;

import dev.signalbox.schemas.snapshot.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;

/**
 * Where an exchange gets its backend connections: {@link BackendConnector} (pools per event loop, new
 * connections on the client's loop), or a test's fake. Called on the client connection's event loop. A
 * connection's pipeline ends in a {@link BackendHandler}; for an HTTP/2 backend the "connection" handed out is
 * one stream of a connection, which the exchange uses the same way.
 */
interface Backends {
    /** An idle pooled connection (or a stream on an open HTTP/2 connection) spoken to as {@code upstream} says, or null: then {@link #connect}. */
    Channel pooled(EventLoop loop, Endpoint endpoint, Upstream upstream);

    /**
     * A new connection (or stream); it completes after the TLS handshake, if any, which may take {@code timeout}
     * (the route's {@code proxy-connect-timeout}; null for the node's connect timeout).
     */
    Future<Channel> connect(EventLoop loop, Endpoint endpoint, Upstream upstream, Duration timeout);

    /** Gives a connection that finished a keep-alive exchange back to its pool (an HTTP/2 stream is closed). */
    void release(EventLoop loop, Endpoint endpoint, Upstream upstream, Channel channel);
}
