package dev.signalbox.proxy.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client-facing pipeline: the PROXY protocol header when expected, the HTTP/1.1 codec, the header and
 * keep-alive timeouts, closing idle connections, then the proxying handler.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {
    static final String HTTP_CODEC = "http-codec";
    static final String IDLE_STATE = "idle-state";
    static final String IDLE_CLOSE = "idle-close";
    static final String CLIENT_BYTES = "client-bytes";
    static final String CLIENT_TIMEOUTS = "client-timeouts";
    static final String PROXY = "proxy";
    /** A client connection with no traffic either way for this long is closed, freeing its slot. */
    static final Duration CLIENT_IDLE = Duration.ofSeconds(60);

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
        ClientTimeouts timeouts = new ClientTimeouts(frontend.clients(), frontend.metrics());
        p.addLast(CLIENT_BYTES, timeouts.bytes());
        p.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setMaxChunkSize(65536)));
        addIdleClose(p);
        p.addBefore(IDLE_CLOSE, CLIENT_TIMEOUTS, timeouts.messages());
        p.addLast(PROXY, new FrontendHandler(frontend));
    }

    static void addIdleClose(ChannelPipeline p) {
        p.addLast(IDLE_STATE, new IdleStateHandler(0, 0, CLIENT_IDLE.toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(IDLE_CLOSE, new IdleCloser());
    }
}
