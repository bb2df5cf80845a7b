package dev.signalbox.proxy.netty;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of a client's HTTP/2 connection, served at the frame level: after {@code Http2FrameCodec}, each new
 * stream gets a {@link FrontendHandler} of its own, fed with the HTTP/1 objects its frames make ({@link Http2Messages})
 * and writing its response as frames on the connection, without a stream channel, its pipeline and the chain of
 * promises between the two (what {@code Http2MultiplexHandler} costs per request). An extended CONNECT (RFC 8441, a
 * WebSocket) still gets a stream channel from the {@code Http2MultiplexHandler} after this handler, since its stream
 * becomes a {@link Tunnel}, which splices two channels: this handler holds back each stream's opening until its first
 * HEADERS frame says which kind it is, and passes everything of a channel's stream on.
 *
 * <p>Flow control as a stream channel's: a stream's DATA frames reach its handler as they arrive and are given back
 * to the client's window ({@code WINDOW_UPDATE}) when the handler asks for the next part ({@link ClientStream#read}),
 * so a client cannot send more than one window ahead of the backend. The connection's event loop only.
 */
final class Http2Streams extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Http2Streams.class);
    /** What a stream passed on to a stream channel maps to. */
    private static final Stream CHANNEL = new Stream(null, null, null);

    private final Frontend frontend;
    private final ResponseTimers timers;
    private final IntObjectMap<Stream> streams = new IntObjectHashMap<>();
    private ChannelHandlerContext ctx;
    /** A new stream's opening, held back until its first HEADERS frame (which follows at once, in the same read). */
    private Http2FrameStreamEvent opening;

    Http2Streams(Frontend frontend, ResponseTimers timers) {
        this.frontend = frontend;
        this.timers = timers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof Http2FrameStreamEvent e)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        Http2FrameStream s = e.stream();
        Stream known = streams.get(s.id());
        if (known == CHANNEL) {
            if (s.state() == Http2Stream.State.CLOSED) {
                streams.remove(s.id());
            }
            ctx.fireUserEventTriggered(evt);
        } else if (known != null) {
            if (e.type() == Http2FrameStreamEvent.Type.State && s.state() == Http2Stream.State.CLOSED) {
                streams.remove(s.id());
                known.ended();
            }
        } else if (e.type() == Http2FrameStreamEvent.Type.State && (s.state() == Http2Stream.State.OPEN
                || s.state() == Http2Stream.State.HALF_CLOSED_REMOTE)) {
            passOnOpening();
            opening = e;
        } else {
            if (opening != null && opening.stream().id() == s.id()) {
                // Closed before its HEADERS frame was passed on (a stream error in it): nothing to open.
                opening = null;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** A held opening whose HEADERS frame did not follow: the stream channel's handler decides. */
    private void passOnOpening() {
        Http2FrameStreamEvent held = opening;
        if (held != null) {
            opening = null;
            streams.put(held.stream().id(), CHANNEL);
            ctx.fireUserEventTriggered(held);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http2StreamFrame frame) || frame.stream() == null) {
            passOnOpening();
            ctx.fireChannelRead(msg);
            return;
        }
        int id = frame.stream().id();
        if (opening != null && opening.stream().id() == id && frame instanceof Http2HeadersFrame headers) {
            if (ExtendedConnect.isWebSocketConnect(headers.headers())) {
                passOnOpening();
                ctx.fireChannelRead(msg);
            } else {
                opening = null;
                open(headers);
            }
            return;
        }
        passOnOpening();
        Stream known = streams.get(id);
        if (known == null || known == CHANNEL) {
            ctx.fireChannelRead(msg);
        } else {
            known.frame(frame);
        }
    }

    private void open(Http2HeadersFrame headers) {
        Http2FrameStream s = headers.stream();
        HttpObject request;
        try {
            request = Http2Messages.request(s.id(), headers.headers(), headers.isEndStream());
        } catch (Http2Exception e) {
            LOG.debug("stream {} of {}: malformed request", s.id(), ctx.channel(), e);
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR).stream(s));
            return;
        }
        FrontendHandler handler = new FrontendHandler(frontend, timers);
        Stream stream = new Stream(ctx, s, handler);
        streams.put(s.id(), stream);
        handler.attach(stream);
        handler.receive(request);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException e) {
            Stream known = streams.get(e.stream().id());
            if (known != null && known != CHANNEL) {
                // The codec resets the stream; its handler ends with it.
                LOG.debug("stream {} of {} failed", e.stream().id(), ctx.channel(), cause);
                known.close();
                return;
            }
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        passOnOpening();
        for (Stream s : streams.values().toArray(new Stream[0])) {
            if (s != CHANNEL) {
                s.ended();
            }
        }
        streams.clear();
        ctx.fireChannelInactive();
    }

    /** One stream served at the frame level: its {@link FrontendHandler}'s client. */
    private static final class Stream implements ClientStream {
        private final ChannelHandlerContext ctx;
        private final Http2FrameStream stream;
        private final FrontendHandler handler;
        /** Request body bytes delivered to the handler and not yet given back to the client's window. */
        private int unconsumed;
        private boolean ended;

        Stream(ChannelHandlerContext ctx, Http2FrameStream stream, FrontendHandler handler) {
            this.ctx = ctx;
            this.stream = stream;
            this.handler = handler;
        }

        void frame(Http2StreamFrame frame) {
            if (ended) {
                ReferenceCountUtil.release(frame);
                return;
            }
            if (frame instanceof Http2DataFrame data) {
                unconsumed += data.initialFlowControlledBytes();
                handler.receive(Http2Messages.content(data));
            } else if (frame instanceof Http2HeadersFrame headers && headers.isEndStream()) {
                try {
                    handler.receive(Http2Messages.trailers(stream.id(), headers.headers()));
                } catch (Http2Exception e) {
                    LOG.debug("stream {} of {}: malformed trailers", stream.id(), ctx.channel(), e);
                    reset(Http2Error.PROTOCOL_ERROR);
                }
            } else if (frame instanceof Http2HeadersFrame) {
                // A second head that does not end the stream (RFC 9113 8.1: malformed).
                reset(Http2Error.PROTOCOL_ERROR);
            } else {
                // A reset (the stream's close follows) or a window update (the codec applied it).
                ReferenceCountUtil.release(frame);
            }
        }

        /** The stream closed (both sides ended it, or a reset): the handler ends, after what is completing now. */
        void ended() {
            if (ended) {
                return;
            }
            ended = true;
            // Later, as a stream channel's close: the write that ended the stream notifies its own listener first.
            ctx.executor().execute(handler::clientClosed);
        }

        private void reset(Http2Error error) {
            if (stream.state() != Http2Stream.State.CLOSED && ctx.channel().isActive()) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(error).stream(stream));
            }
            ended();
        }

        @Override
        public ChannelFuture write(HttpObject part) {
            Http2StreamFrame[] frames = Http2Messages.frames(part);
            for (int i = 0; i < frames.length - 1; i++) {
                // The last frame's promise fails too when an earlier one did (the stream is reset).
                ctx.write(frames[i].stream(stream), ctx.newPromise());
            }
            return ctx.write(frames[frames.length - 1].stream(stream));
        }

        @Override
        public ChannelFuture writeAndFlush(HttpObject part) {
            ChannelFuture f = write(part);
            ctx.flush();
            return f;
        }

        @Override
        public void writeHead(HttpObject part) {
            write(part);
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public void read() {
            if (unconsumed > 0 && !ended) {
                int n = unconsumed;
                unconsumed = 0;
                // Not a void promise: its failure would reach the connection's codec as a connection error.
                ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(n).stream(stream));
            }
        }

        @Override
        public void close() {
            // As a stream channel's close: a reset unless both sides ended the stream.
            reset(Http2Error.CANCEL);
        }

        @Override
        public ChannelHandlerContext context() {
            return ctx;
        }

        @Override
        public boolean http2() {
            return true;
        }

        @Override
        public ChannelHandlerContext handlerContext() {
            return null;
        }
    }
}
