package dev.signalbox.proxy.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * What a {@link FrontendHandler} and its {@link Exchange} do to their client: write response parts (as HTTP/1 objects),
 * ask for the next request part, end it. Two kinds: a channel handler's context ({@link #of}), for an HTTP/1.1
 * connection and for an HTTP/2 stream that has a channel of its own (RFC 8441 WebSockets, which become a
 * {@link Tunnel}); and a stream of an HTTP/2 connection handled at the frame level ({@link Http2Streams}), every other
 * HTTP/2 request. Event loop only.
 */
interface ClientStream {
    /** Writes a response part; the future completes when it was written to the connection, or failed. */
    ChannelFuture write(HttpObject part);

    /** Writes a response part and flushes. */
    ChannelFuture writeAndFlush(HttpObject part);

    /**
     * Writes a response part nobody waits for (a head: the part after it is written with a future, which fails too
     * when this did).
     */
    void writeHead(HttpObject part);

    void flush();

    /** The client may send the next request part: the connection reads on, or the stream's window opens. */
    void read();

    /** Ends the client: an HTTP/1.1 connection closes, an HTTP/2 stream is reset unless both sides ended it. */
    void close();

    /**
     * A context on the client's channel: the handler's on an HTTP/1.1 connection or a stream channel, the connection
     * handler's for a stream served at the frame level.
     */
    ChannelHandlerContext context();

    default EventLoop eventLoop() {
        return context().channel().eventLoop();
    }

    default ByteBufAllocator alloc() {
        return context().alloc();
    }

    /**
     * The channel whose attributes tell the client's origin and certificates ({@link ClientOrigin},
     * {@link ClientCertificates}: a stream channel's parent is the connection).
     */
    default Channel connection() {
        return context().channel();
    }

    /** Whether this is an HTTP/2 stream, where a request ends with its stream and the response may end it first. */
    boolean http2();

    /**
     * The context of the handler that serves the client, which a protocol switch replaces with a {@link Tunnel}; null
     * for a stream handled at the frame level (its requests cannot ask to switch: HPACK refuses Upgrade fields).
     */
    ChannelHandlerContext handlerContext();

    /** The client behind {@code ctx}, the context of a {@link FrontendHandler}. */
    static ClientStream of(ChannelHandlerContext ctx) {
        return new OverContext(ctx, ctx.channel() instanceof Http2StreamChannel);
    }

    /** A client that is a channel of its own. */
    record OverContext(ChannelHandlerContext ctx, boolean http2) implements ClientStream {
        @Override
        public ChannelFuture write(HttpObject part) {
            return ctx.write(part);
        }

        @Override
        public ChannelFuture writeAndFlush(HttpObject part) {
            return ctx.writeAndFlush(part);
        }

        @Override
        public void writeHead(HttpObject part) {
            // A failed write reaches exceptionCaught, which closes.
            ctx.write(part, ctx.voidPromise());
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public void read() {
            ctx.read();
        }

        @Override
        public void close() {
            ctx.close();
        }

        @Override
        public ChannelHandlerContext context() {
            return ctx;
        }

        @Override
        public ChannelHandlerContext handlerContext() {
            return ctx;
        }
    }
}
