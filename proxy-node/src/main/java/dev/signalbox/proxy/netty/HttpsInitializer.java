package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.tls.TlsContexts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Supplier;

/**
 * The HTTPS listener's pipeline. {@link io.netty.handler.ssl.SniHandler} (as {@link ClientCertificates.Sni}) reads the ClientHello, asks {@link TlsContexts} for the
 * certificate of the server name and replaces itself with an SslHandler; once the handshake is done ALPN
 * decides: HTTP/2 gets a frame codec and one child channel per stream ({@link Http2Frontend}), each with a codec
 * to HTTP/1 objects and the same {@link FrontendHandler} as HTTP/1.1, which gets the usual pipeline. Backends
 * speak HTTP/1.1 or HTTP/2 as their backend-protocol says. The connection auto-reads during the handshake;
 * HTTP/1.1 then turns it off as on the plain
 * listener, while HTTP/2 keeps reading the connection and bounds each stream by its flow-control window
 * (a stream channel reads only when its {@link FrontendHandler} asks).
 */
final class HttpsInitializer extends ChannelInitializer<Channel> {
    static final String SNI = "sni";
    static final String ALPN = "alpn";
    static final String HANDSHAKES = "tls-handshakes";
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final Supplier<TlsContexts> contexts;
    private final Frontend frontend;

    HttpsInitializer(Supplier<TlsContexts> contexts, Frontend frontend) {
        this.contexts = contexts;
        this.frontend = frontend;
    }

    @Override
    protected void initChannel(Channel ch) {
        ProxyProtocol.addFirst(ch.pipeline(), frontend);
        ch.pipeline().addLast(SNI, new ClientCertificates.Sni(contexts.get(), HANDSHAKE_TIMEOUT_MILLIS));
        ch.pipeline().addLast(HANDSHAKES, new HandshakeCounter(frontend.metrics()));
        ch.pipeline().addLast(ALPN, new Negotiation(frontend));
    }

    private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
        private final Frontend frontend;

        Negotiation(Frontend frontend) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.frontend = frontend;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            ChannelPipeline p = ctx.pipeline();
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                Http2Frontend.addHttp2(p, frontend);
            } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
                ctx.channel().config().setAutoRead(false);
                FrontendInitializer.addHttp1(p, frontend);
                // FrontendHandler saw no channelActive: ask for the first request here.
                ctx.channel().read();
            } else {
                throw new IllegalStateException("unexpected application protocol " + protocol);
            }
        }
    }
}
