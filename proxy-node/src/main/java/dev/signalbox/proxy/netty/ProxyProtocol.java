package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (HAProxy's v1 text and v2 binary headers) at the start of every client connection, when
 * {@code --proxy-protocol} is on: a load balancer in front (AWS NLB, HAProxy) says who the client is. Netty's
 * decoder reads the header and removes itself; this handler records the origin ({@link ClientOrigin}) and removes
 * itself too, so the HTTP or TLS pipeline behind sees the connection's bytes after the header. A PROXY command
 * over TCP gives the client's source address and the port it connected to; a LOCAL command (the balancer's own
 * health check) or an UNKNOWN or UNIX family keeps the socket's addresses, as the specification asks. A connection
 * whose first bytes are not a valid header is closed by the decoder without an answer (a request must not be
 * served as if it came from the balancer) and counted in {@code signalbox_proxy_protocol_rejected_total}; one that
 * sends nothing is closed by the header timeout. Event loop only.
 */
final class ProxyProtocol extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocol.class);
    static final String DECODER = "proxy-protocol-decoder";
    static final String HANDLER = "proxy-protocol";

    private final ProxyMetrics metrics;
    private boolean rejected;

    private ProxyProtocol(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    /** Puts the decoder and this handler first in {@code p} when the listener expects PROXY headers. */
    static void addFirst(ChannelPipeline p, Frontend frontend) {
        if (frontend.clients().proxyProtocol()) {
            p.addFirst(HANDLER, new ProxyProtocol(frontend.metrics()));
            p.addFirst(DECODER, new HAProxyMessageDecoder());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ctx.channel().attr(ClientOrigin.KEY).set(origin(header, ClientOrigin.ofSocket(ctx.channel())));
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
        if (!ctx.channel().config().isAutoRead()) {
            // The header may have been all that one read brought; the HTTP handlers ask for more themselves.
            ctx.channel().read();
        }
    }

    /** The client a header names: its source for a proxied TCP connection, else the socket's peer. */
    static ClientOrigin origin(HAProxyMessage header, ClientOrigin socket) {
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        boolean inet = family == HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                || family == HAProxyProxiedProtocol.AddressFamily.AF_IPv6;
        if (header.command() != HAProxyCommand.PROXY || !inet || header.sourceAddress() == null) {
            return socket;
        }
        byte[] address = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
        if (address == null) {
            return socket;
        }
        try {
            // Written as the socket's peer would be (InetAddress's form), whichever spelling the header used.
            return new ClientOrigin(InetAddress.getByAddress(address).getHostAddress(), header.destinationPort());
        } catch (UnknownHostException e) {
            return socket;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException) {
            if (rejected) {
                // The decoder may fail again on bytes that were already read; one connection, one count.
                return;
            }
            rejected = true;
            LOG.debug("connection {} did not start with a valid PROXY protocol header: {}", ctx.channel(),
                    cause.getMessage());
            metrics.proxyProtocolRejected();
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
