package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.RouteLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection (or an HTTP/2 client stream, RFC 8441: its DATA frames) and a backend connection spliced
 * into one byte tunnel after a backend switched protocols (RFC 9110 15.2.2, a WebSocket's 101): both HTTP codecs
 * are removed and bytes are relayed as
 * they come, in both directions, on the client's event loop (the backend connection was opened on it).
 * Auto-read stays off; a side reads again after its bytes were flushed, as long as the other side is
 * writable, and resumes when it becomes writable again (the channels' water marks), so a slow reader on
 * one side stops the other side's reads instead of filling memory. Every buffer read is handed to a write,
 * which releases it.
 * <p>
 * Timeouts, as nginx's upgraded connections: the tunnel closes when no byte went either way for the
 * {@code idle} time (the route's read timeout), or when bytes for the backend waited unwritable (the
 * backend stopped reading) for the {@code send} time. The backend connection never returns to a pool. Snapshot
 * changes do not touch an open tunnel, whether or not the new snapshot keeps its route: it ends when either
 * side closes, on the idle timeout, or at the end of a drain.
 * <p>
 * When the access log samples the request, the bytes relayed each way are added to its {@link AccessRecorder}
 * (bytes in from the client, bytes out to it), whose line is written when the tunnel closes, as nginx logs an
 * upgraded connection when it ends.
 */
final class Tunnel {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);
    static final String RELAY = "tunnel";
    static final String IDLE = "tunnel-idle";

    /** How long a tunnel may be silent, and how long bytes for the backend may wait on it. */
    record Timeouts(Duration idle, Duration send) {
        /**
         * The timeouts of a tunnel: its route's read and send timeouts ({@code proxy-read-timeout},
         * {@code proxy-send-timeout}) where it has them, else the node's read timeout (the response timeout, as
         * nginx's {@code proxy_read_timeout} and {@code proxy_send_timeout} share their default) for both.
         */
        static Timeouts of(RouteLimits limits) {
            return new Timeouts(limits.readTimeout(), limits.sendTimeout());
        }
    }

    private Tunnel() {
    }

    /**
     * Turns both connections into a tunnel. Called on the client's event loop from within the backend's read
     * that delivered the end of the 101 (which was already written to the client), with {@code frontend} the
     * context of the client's {@link FrontendHandler}. Bytes the backend sent after its 101 in the same read
     * reach the tunnel when the backend codec is removed.
     */
    static void open(ChannelHandlerContext frontend, Channel backend, Timeouts timeouts, AccessRecorder access) {
        Channel client = frontend.channel();
        Side clientSide = new Side(backend, false, access);
        Side backendSide = new Side(client, true, access);
        ChannelPipeline cp = client.pipeline();
        cp.replace(frontend.handler(), RELAY, clientSide);
        // The HTTP codec and every HTTP-only timeout (idle close, header and keep-alive timeouts) go.
        // On an HTTP/2 stream (RFC 8441), its codec and the extended CONNECT's handlers.
        for (String name : new String[] {FrontendInitializer.CLIENT_TIMEOUTS, FrontendInitializer.HTTP_CODEC,
                ExtendedConnect.MESSAGES, Http2Frontend.H2_TO_HTTP, ExtendedConnect.FRAMES}) {
            if (cp.get(name) != null) {
                cp.remove(name);
            }
        }
        ChannelPipeline bp = backend.pipeline();
        bp.replace(BackendHandler.class, RELAY, backendSide);
        bp.addBefore(RELAY, IDLE, new IdleStateHandler(0, timeouts.send().toMillis(), timeouts.idle().toMillis(),
                TimeUnit.MILLISECONDS));
        bp.remove(BackendConnector.HTTP_CODEC);
        client.read();
        backend.read();
    }

    /** Whether {@code ch} is the client side of a tunnel. */
    static boolean isTunnel(Channel ch) {
        return ch.pipeline().get(RELAY) instanceof Side;
    }

    /**
     * At the end of a drain: the tunnel's pending bytes are flushed to both sides, then both connections close
     * (a FIN, not a reset). The proxy does not parse the tunnelled protocol, so it sends no WebSocket close frame.
     */
    static void close(Channel client) {
        if (client.pipeline().get(RELAY) instanceof Side s) {
            s.closeBoth(client);
        } else {
            client.close();
        }
    }

    /** What carries {@code bytes} on {@code ch}: the bytes themselves, or a DATA frame on an HTTP/2 stream. */
    private static Object bytesFor(Channel ch, ByteBuf bytes) {
        return ch instanceof Http2StreamChannel ? new DefaultHttp2DataFrame(bytes) : bytes;
    }

    /**
     * The last write before a close: nothing on a connection (it flushes what is pending), an empty DATA frame
     * ending the stream on an HTTP/2 stream (a close alone would reset it).
     */
    private static Object end(Channel ch) {
        return ch instanceof Http2StreamChannel ? new DefaultHttp2DataFrame(true) : Unpooled.EMPTY_BUFFER;
    }

    /** Reads one channel and writes to its peer; one per side, each in its own channel's pipeline. */
    private static final class Side extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        /** Whether this is the backend's side, which also sees the idle events. */
        private final boolean backend;
        /** The sampled request's recorder, or null: counts what this side reads. */
        private final AccessRecorder access;

        Side(Channel peer, boolean backend, AccessRecorder access) {
            this.peer = peer;
            this.backend = backend;
            this.access = access;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes;
            boolean end = false;
            if (msg instanceof ByteBuf b) {
                bytes = b;
            } else if (msg instanceof Http2DataFrame d) {
                // An HTTP/2 client stream (RFC 8441): its DATA carries the bytes, END_STREAM ends the tunnel.
                bytes = d.content();
                end = d.isEndStream();
            } else {
                // A reset or trailers on an HTTP/2 stream: the tunnel ends.
                ReferenceCountUtil.release(msg);
                if (!(msg instanceof Http2HeadersFrame)) {
                    closeBoth(ctx.channel());
                }
                return;
            }
            if (access != null) {
                if (backend) {
                    access.bytesOut += bytes.readableBytes();
                } else {
                    access.bytesIn += bytes.readableBytes();
                }
            }
            peer.write(bytesFor(peer, bytes)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (end) {
                closeBoth(ctx.channel());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (peer.isWritable()) {
                ctx.read();
            }
            // Otherwise the peer's channelWritabilityChanged reads on.
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                // The side feeding this channel waited for it: read on there.
                peer.read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The other side gets what was already relayed, then a close.
            if (peer.isActive()) {
                peer.writeAndFlush(end(peer)).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ClientConnections.DRAIN) {
                // A tunnel is left open until the drain timeout (ProxyServer.drain), as Envoy does with upgraded
                // connections: the application decides when to move, the drain timeout bounds it.
                return;
            }
            if (backend && evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.ALL_IDLE) {
                    LOG.debug("tunnel {} idle, closed", ctx.channel());
                    closeBoth(ctx.channel());
                } else if (idle.state() == IdleState.WRITER_IDLE && !ctx.channel().isWritable()) {
                    LOG.debug("tunnel {}: the backend took nothing within the send timeout, closed", ctx.channel());
                    closeBoth(ctx.channel());
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        void closeBoth(Channel self) {
            for (Channel c : new Channel[] {self, peer}) {
                if (c.isActive()) {
                    c.writeAndFlush(end(c)).addListener(ChannelFutureListener.CLOSE);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("tunnel connection {} failed", ctx.channel(), cause);
            ctx.close();
        }
    }
}
