package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.RequestId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP/2 towards clients: over TLS when ALPN chose h2 ({@link HttpsInitializer}), and h2c with prior knowledge on the
 * plain HTTP port (RFC 9113 3.3): {@link PriorKnowledge} looks at a new connection's first bytes and, when they are the
 * connection preface {@code PRI * HTTP/2.0}, switches the pipeline to HTTP/2; anything else keeps the HTTP/1.1
 * pipeline, so both share the port. The h2c Upgrade from HTTP/1.1 (RFC 7540 3.2, removed in RFC 9113) is not offered: gRPC
 * clients and h2load use prior knowledge, and an upgrade would hold the first request's body in the proxy.
 *
 * <p>The connection auto-reads and bounds each stream by its flow-control window, which opens again as the stream's
 * {@link FrontendHandler} (the same as HTTP/1.1's) asks for the next part. Streams are served at the frame level
 * ({@link Http2Streams}); only an extended CONNECT (RFC 8441) gets a stream channel, with a codec to HTTP/1 objects,
 * since it becomes a {@link Tunnel}. The streams' writes reach the connection's TLS layer in one flush per event-loop
 * turn.
 */
final class Http2Frontend {
    static final String H2_FLUSHES = "h2-flush-consolidation";
    static final String H2_CODEC = "h2-codec";
    static final String H2_STREAMS = "h2-streams";
    static final String H2_MULTIPLEX = "h2-multiplex";
    static final String H2_TO_HTTP = "h2-to-http";
    static final String PRIOR_KNOWLEDGE = "h2c-prior-knowledge";
    /** As nginx's http2_max_concurrent_streams. */
    private static final long MAX_CONCURRENT_STREAMS = 128;

    private Http2Frontend() {
    }

    /** Appends the HTTP/2 handlers to a client connection's pipeline and lets the connection read. */
    static void addHttp2(ChannelPipeline p, Frontend frontend) {
        p.addLast(FrontendInitializer.CLIENT_TIMEOUTS, ClientTimeouts.http2(frontend.metrics()));
        // The streams' flushes of one event-loop turn become one: each response is written and flushed by its own
        // backend read, so without this every response of a connection is its own TLS record and send system call.
        p.addLast(H2_FLUSHES, new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
                true));
        p.addLast(H2_CODEC, new FrameCodecBuilder(uniformlyShared())
                // RFC 8441: WebSockets over a stream (ExtendedConnect).
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .connectProtocolEnabled(true))
                // A request id differs on every response: as a never-indexed literal it is not looked up in, added
                // to and evicted from HPACK's dynamic table each time (nginx indexes no response field at all).
                .headerSensitivityDetector((name, value) -> RequestId.HEADER.contentEqualsIgnoreCase(name))
                .build());
        // The streams' response timeouts: one scheduled check per connection, not a timer task per stream.
        ResponseTimers streamTimers = new ResponseTimers(p.channel().eventLoop(), frontend.responseTimeout());
        p.channel().closeFuture().addListener(f -> streamTimers.stop());
        p.addLast(H2_STREAMS, new Http2Streams(frontend, streamTimers));
        // Only the streams Http2Streams passes on: extended CONNECTs (RFC 8441), which become tunnels.
        p.addLast(H2_MULTIPLEX, new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                stream.pipeline().addLast(ExtendedConnect.FRAMES, new ExtendedConnect().frames());
                // One codec per stream, though Netty marks it sharable: its decoder keeps per-read state (whether a read
                // produced a message, to read again when not) that streams sharing one would overwrite.
                stream.pipeline().addLast(H2_TO_HTTP, new Http2StreamFrameToHttpObjectCodec(true));
                stream.pipeline().addLast(FrontendInitializer.PROXY, new FrontendHandler(frontend, streamTimers));
            }
        }));
        p.channel().config().setAutoRead(true);
    }

    /**
     * A server connection whose streams share the client's flow-control window uniformly
     * ({@code UniformStreamByteDistributor}), not by the priority tree of RFC 7540 5.3 (Netty's default,
     * {@code WeightedFairQueueByteDistributor}), which RFC 9113 5.3 deprecated. Keeping that tree up to date as each
     * stream opens and closes was about 2 % of the event loop's samples at one stream per request (async-profiler,
     * 2026-12-07); the uniform distributor keeps a queue of the streams with data to send.
     */
    static Http2Connection uniformlyShared() {
        Http2Connection c = new DefaultHttp2Connection(true);
        c.remote().flowController(new DefaultHttp2RemoteFlowController(c, new UniformStreamByteDistributor(c)));
        return c;
    }

    /** Netty's builder with a connection made here (its setter is protected). */
    private static final class FrameCodecBuilder extends Http2FrameCodecBuilder {
        FrameCodecBuilder(Http2Connection connection) {
            connection(connection);
            // As Http2FrameCodecBuilder.forServer(): no graceful-shutdown timeout at this layer.
            gracefulShutdownTimeoutMillis(0);
        }
    }

    /** Puts {@link PriorKnowledge} before the HTTP/1.1 handlers of a plain-HTTP connection. */
    static void addPriorKnowledge(ChannelPipeline p, Frontend frontend) {
        p.addBefore(FrontendInitializer.HTTP_CODEC, PRIOR_KNOWLEDGE, new PriorKnowledge(frontend));
    }

    /**
     * Before the HTTP/1.1 handlers of a plain-HTTP connection (so their header timeout runs from the start): reads
     * until the bytes either are the HTTP/2 connection preface or cannot be (the first byte that differs; an HTTP/1.1
     * request line never starts with "PRI * HTTP/2.0"), then leaves, handing what it read on. On the preface the
     * HTTP/1.1 handlers after it are replaced by the HTTP/2 ones first.
     */
    static final class PriorKnowledge extends ByteToMessageDecoder {
        private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
        private final Frontend frontend;

        PriorKnowledge(Frontend frontend) {
            this.frontend = frontend;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
            boolean samePrefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
            if (samePrefix && n < PREFACE.readableBytes()) {
                return; // ByteToMessageDecoder asks for more (auto-read is off, nothing was decoded).
            }
            ChannelPipeline p = ctx.pipeline();
            if (samePrefix) {
                // The handlers after this one (toMap leaves out the pipeline's own head and tail).
                List<String> names = new ArrayList<>(p.toMap().keySet());
                for (String name : names.subList(names.indexOf(PRIOR_KNOWLEDGE) + 1, names.size())) {
                    p.remove(name);
                }
                addHttp2(p, frontend);
            }
            // What was read goes on to the handlers after this one.
            p.remove(this);
        }
    }
}
