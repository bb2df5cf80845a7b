package dev.signalbox.proxy.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Closes a client connection when {@link io.netty.handler.timeout.IdleStateHandler} reports it idle, unless a
 * response head is awaited: the request's response timer bounds that wait (its route's {@code proxy-read-timeout},
 * which may be longer than the idle time).
 */
final class IdleCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            FrontendHandler requests = ctx.pipeline().get(FrontendHandler.class);
            if (requests == null || !requests.responseTimer().armed()) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
