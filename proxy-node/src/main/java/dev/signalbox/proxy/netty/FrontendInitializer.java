package dev.signalbox.proxy.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * The client-facing pipeline: the PROXY protocol header when expected, the HTTP/1.1 codec, the connection's
 * timeouts (header, keep-alive, idle: {@link ClientTimeouts}), then the proxying handler.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {
    static final String HTTP_CODEC = "http-codec";
    static final String CLIENT_TIMEOUTS = "client-timeouts";
    static final String PROXY = "proxy";

    private final Frontend frontend;

    FrontendInitializer(Frontend frontend) {
        this.frontend = frontend;
    }

    @Override
    protected void initChannel(Channel ch) {
        ProxyProtocol.addFirst(ch.pipeline(), frontend);
        addHttp1(ch.pipeline(), frontend);
        // Or h2c with prior knowledge, which the first bytes say (Http2Frontend).
        Http2Frontend.addPriorKnowledge(ch.pipeline(), frontend);
    }

    /** Appends the HTTP/1.1 handlers; the HTTPS listener calls it once ALPN chose http/1.1. */
    static void addHttp1(ChannelPipeline p, Frontend frontend) {
        p.addLast(HTTP_CODEC, Http1Codecs.clientSide());
        p.addLast(CLIENT_TIMEOUTS, ClientTimeouts.http1(frontend.clients(), frontend.metrics()));
        p.addLast(PROXY, new FrontendHandler(frontend));
    }
}
