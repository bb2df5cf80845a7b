package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Counts the HTTPS port's TLS handshakes by result ({@code signalbox_tls_handshakes_total}), from the event the
 * SslHandler fires when one completes or fails, then gets out of the pipeline. A connection whose first bytes are no
 * ClientHello (plain HTTP sent to the HTTPS port, a scanner) fails before there is an SslHandler: the SNI handler's
 * failed completion counts it. On the connection's event loop.
 */
final class HandshakeCounter extends ChannelInboundHandlerAdapter {
    private final ProxyMetrics metrics;

    HandshakeCounter(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            metrics.tlsHandshake(done.isSuccess());
            ctx.pipeline().remove(this);
        } else if (evt instanceof SniCompletionEvent sni && !sni.isSuccess()) {
            metrics.tlsHandshake(false);
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
