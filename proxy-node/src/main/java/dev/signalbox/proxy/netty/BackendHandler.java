package dev.signalbox.proxy.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * Hands a backend connection's response parts to the exchange it serves. A pooled, idle connection has
 * no listener: anything it receives is unexpected, so it is dropped and the connection closed.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private BackendListener listener;

    void attach(BackendListener l) {
        listener = l;
    }

    void detach() {
        listener = null;
    }

    /** Detaches the listener of {@code ch}, if any: a closed channel's pipeline may have been emptied already. */
    static void detachFrom(Channel ch) {
        BackendHandler h = ch.pipeline().get(BackendHandler.class);
        if (h != null) {
            h.detach();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        BackendListener l = listener;
        if (l == null || !(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        l.onResponse(http);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        BackendListener l = listener;
        if (l != null) {
            l.onResponseReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        BackendListener l = listener;
        listener = null;
        if (l != null) {
            l.onBackendClosed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        BackendListener l = listener;
        listener = null;
        if (l != null) {
            l.onBackendClosed(cause);
        }
        ctx.close();
    }
}
