package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.Grpc;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;

/**
 * HTTP/2 to backends (backend-protocol GRPC, H2C: h2c with prior knowledge, RFC 9113 3.3; GRPCS: h2 negotiated
 * by ALPN over the backend TLS settings), for one event loop and touched by it only. Exchanges to one endpoint
 * with one TLS setting share a connection, one stream each, while the backend's SETTINGS_MAX_CONCURRENT_STREAMS
 * leaves room; a full connection (or one that received GOAWAY) gets a sibling.
 *
 * <p>Each stream is a child channel ({@link Http2MultiplexHandler}) whose pipeline turns HTTP/2 frames into the
 * HTTP/1 objects the exchange already speaks ({@link Http2StreamFrameToHttpObjectCodec}) and ends in a
 * {@link BackendHandler}: the exchange, its flow control (stream auto-read off, the next read after the client
 * write), retries and failure answers stay one code path for HTTP/1.1 and HTTP/2 backends; the HTTP/2 flow-control
 * window bounds what a stream buffers. Trailers arrive as a {@code LastHttpContent}'s trailing headers and are
 * passed on as such. The cost is an HTTP/1 object per frame, as on the HTTP/2 listener.
 */
final class Http2Upstream {
    static final String H2_CODEC = "h2-codec";
    static final String H2_MULTIPLEX = "h2-multiplex";
    static final String H2_CONNECTION = "h2-connection";
    static final String H2_TO_HTTP = "h2-to-http";
    static final String TE_TRAILERS = "te-trailers";
    /** Exchanges that may wait for one connection still being opened before another is opened beside it. */
    private static final int MAX_WAITING_PER_CONNECTION = 100;

    private record Key(Endpoint endpoint, UpstreamTls tls) {
    }

    /** One connection to an endpoint and the exchanges waiting for it to be ready. */
    private static final class Connection {
        final Channel channel;
        final Future<Void> ready;
        int waiting;

        Connection(Channel channel, Future<Void> ready) {
            this.channel = channel;
            this.ready = ready;
        }

        boolean canOpenStream() {
            if (!ready.isDone()) {
                return waiting < MAX_WAITING_PER_CONNECTION;
            }
            if (!ready.isSuccess() || !channel.isActive()) {
                return false;
            }
            Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
            return codec != null && !codec.connection().goAwayReceived() && codec.connection().local().canOpenStream();
        }
    }

    private final Map<Key, List<Connection>> connections = new HashMap<>();

    /** The handlers of a new HTTP/2 connection, after the SslHandler if any. */
    static void addConnectionHandlers(ChannelPipeline p) {
        p.addLast(H2_CODEC, Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                .build());
        p.addLast(H2_MULTIPLEX, new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRegistered(ChannelHandlerContext ctx) {
                // A stream the backend opened (push is refused by SETTINGS_ENABLE_PUSH 0): not ours.
                ctx.close();
            }
        }));
        p.addLast(H2_CONNECTION, new ConnectionHandler());
    }

    /** A stream on a ready connection to {@code endpoint} with room for it, or null. */
    Channel stream(Endpoint endpoint, UpstreamTls tls) {
        List<Connection> list = connections.get(new Key(endpoint, tls));
        if (list == null) {
            return null;
        }
        for (Connection c : list) {
            if (c.ready.isDone() && c.canOpenStream()) {
                Future<Http2StreamChannel> f = open(c.channel);
                if (f.isDone()) {
                    return f.isSuccess() ? f.getNow() : null;
                }
                // Not opened at once (it is on the loop, so it should be): never leave it dangling.
                f.addListener(done -> {
                    if (done.isSuccess()) {
                        f.getNow().close();
                    }
                });
                return null;
            }
        }
        return null;
    }

    /**
     * A stream on a connection to {@code endpoint} still being opened, with room for one more waiting exchange,
     * or else on a new connection from {@code open} (which completes after the TLS handshake, if any).
     */
    Future<Channel> connect(EventLoop loop, Endpoint endpoint, UpstreamTls tls, Supplier<ChannelFuture> open) {
        Key key = new Key(endpoint, tls);
        List<Connection> list = connections.computeIfAbsent(key, k -> new ArrayList<>(1));
        Connection conn = null;
        for (Connection c : list) {
            if (c.canOpenStream()) {
                conn = c;
                break;
            }
        }
        if (conn == null) {
            ChannelFuture ready = open.get();
            Connection c = new Connection(ready.channel(), ready);
            list.add(c);
            ready.channel().closeFuture().addListener(f -> forget(key, c));
            ready.addListener(f -> {
                if (f.isSuccess() && tls != null) {
                    String alpn = UpstreamTlsHandlers.applicationProtocol(c.channel);
                    if (alpn != null && !alpn.isEmpty() && !alpn.equals("h2")) {
                        // The backend does not speak HTTP/2 over TLS: it chose another protocol by ALPN (RFC 7301).
                        c.channel.close();
                    }
                }
            });
            conn = c;
        }
        Promise<Channel> stream = loop.newPromise();
        Connection c = conn;
        c.waiting++;
        c.ready.addListener(f -> {
            c.waiting--;
            if (!f.isSuccess()) {
                stream.tryFailure(f.cause());
            } else if (!c.channel.isActive()) {
                stream.tryFailure(new SSLHandshakeException("backend did not select h2 by ALPN (application protocol "
                        + UpstreamTlsHandlers.applicationProtocol(c.channel) + ")"));
            } else {
                open(c.channel).addListener(s -> {
                    if (s.isSuccess()) {
                        stream.trySuccess((Channel) s.getNow());
                    } else {
                        stream.tryFailure(s.cause());
                    }
                });
            }
        });
        return stream;
    }

    private void forget(Key key, Connection c) {
        List<Connection> list = connections.get(key);
        if (list != null) {
            list.remove(c);
            if (list.isEmpty()) {
                connections.remove(key);
            }
        }
    }

    private static Future<Http2StreamChannel> open(Channel connection) {
        return new Http2StreamChannelBootstrap(connection)
                .option(ChannelOption.AUTO_READ, false)
                // A failed write (the backend ended the stream first) must not close the stream: what the backend
                // sent before is still queued in it, to be read; the stream closes once it is (readEOS).
                .option(ChannelOption.AUTO_CLOSE, false)
                .handler(StreamInitializer.INSTANCE)
                .open();
    }

    /**
     * Whether the backend has ended its side of {@code stream}, an HTTP/2 stream to it (END_STREAM, or RST_STREAM): a
     * write to it fails then, while the frames the backend sent before are still to be read, and the stream channel
     * closes once they are. A backend that answers before it has the whole request ends its stream so (RFC 9113 8.1).
     */
    static boolean endedByBackend(Channel stream) {
        if (!(stream instanceof Http2StreamChannel s)) {
            return false;
        }
        Http2Stream.State state = s.stream().state();
        return state == Http2Stream.State.HALF_CLOSED_REMOTE || state == Http2Stream.State.CLOSED;
    }

    /** The exchange is done with {@code stream}: closing a finished stream sends nothing, an unfinished one is reset. */
    static void release(Channel stream) {
        BackendHandler.detachFrom(stream);
        stream.close();
    }

    @io.netty.channel.ChannelHandler.Sharable
    private static final class StreamInitializer extends ChannelInitializer<Channel> {
        static final StreamInitializer INSTANCE = new StreamInitializer();

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(H2_TO_HTTP, new Http2StreamFrameToHttpObjectCodec(false));
            ch.pipeline().addLast(TE_TRAILERS, TeTrailers.INSTANCE);
            ch.pipeline().addLast(BackendConnector.RELAY, new BackendHandler());
        }
    }

    /**
     * {@code TE: trailers} on a gRPC call (gRPC over HTTP/2 requires it: it says the client reads trailers, which
     * this proxy passes on). The client's own TE was removed with the hop-by-hop fields (RFC 9110 7.6.1).
     */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class TeTrailers extends ChannelOutboundHandlerAdapter {
        static final TeTrailers INSTANCE = new TeTrailers();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpRequest r && Grpc.isGrpc(r.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
                r.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            }
            ctx.write(msg, promise);
        }
    }

    /** The end of a connection's pipeline: a connection error closes the connection (its streams fail with it). */
    private static final class ConnectionHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
