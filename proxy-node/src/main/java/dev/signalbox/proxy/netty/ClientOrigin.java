package dev.signalbox.proxy.netty;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * Where a client connection comes from: the address that X-Forwarded-For, X-Real-IP, trusted-proxy decisions and
 * source-range checks use, and the port it reached. Normally the socket's peer and local port; behind a load
 * balancer speaking the PROXY protocol ({@code --proxy-protocol}), what its header said ({@link ProxyProtocol}
 * sets it on the connection before any request is read). This is the one place that answers the question; an
 * HTTP/2 stream asks its connection.
 *
 * @param address    the client's IP address as a literal
 * @param serverPort the port the client connected to (for X-Forwarded-Port)
 */
record ClientOrigin(String address, int serverPort) {
    static final AttributeKey<ClientOrigin> KEY = AttributeKey.valueOf("signalbox.client-origin");

    /** The origin of the connection {@code ch} belongs to ({@code ch} may be an HTTP/2 stream). */
    static ClientOrigin of(Channel ch) {
        ClientOrigin set = ch.attr(KEY).get();
        if (set == null && ch.parent() != null && !(ch.parent() instanceof ServerChannel)) {
            set = ch.parent().attr(KEY).get();
        }
        return set != null ? set : ofSocket(ch);
    }

    /** The socket's own peer and local port (a stream channel reports its connection's). */
    static ClientOrigin ofSocket(Channel ch) {
        String peer = ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : String.valueOf(ch.remoteAddress());
        int port = ch.localAddress() instanceof InetSocketAddress l ? l.getPort() : 0;
        return new ClientOrigin(peer, port);
    }
}
