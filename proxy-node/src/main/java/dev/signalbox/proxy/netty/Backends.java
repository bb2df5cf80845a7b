package dev.signalbox.proxy.netty;

import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;

/**
 * Where an exchange gets its backend connections: {@link BackendConnector} (pools per event loop, new
 * connections on the client's loop), or a test's fake. Called on the client connection's event loop. A
 * connection's pipeline ends in a {@link BackendHandler}.
 */
interface Backends {
    /** An idle pooled connection (over TLS with {@code tls}, plain if null), or null: then {@link #connect}. */
    Channel pooled(EventLoop loop, Endpoint endpoint, UpstreamTls tls);

    /** A new connection; it completes after the TLS handshake, if any. */
    ChannelFuture connect(EventLoop loop, Endpoint endpoint, UpstreamTls tls);

    /** Gives a connection that finished a keep-alive exchange back to its pool. */
    void release(EventLoop loop, Endpoint endpoint, UpstreamTls tls, Channel channel);
}
