package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.routing.RoutingState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The client-facing pipeline: HTTP/1.1 codec, closing idle connections, then the proxying handler. */
final class FrontendInitializer extends ChannelInitializer<Channel> {
    static final String HTTP_CODEC = "http-codec";
    static final String IDLE_STATE = "idle-state";
    static final String IDLE_CLOSE = "idle-close";
    static final String PROXY = "proxy";
    /** A client connection with no traffic either way for this long is closed, freeing its slot. */
    private static final Duration CLIENT_IDLE = Duration.ofSeconds(60);

    private final RoutingState routing;
    private final BackendConnector connector;
    private final ProxyMetrics metrics;
    private final Duration responseTimeout;

    FrontendInitializer(RoutingState routing, BackendConnector connector, ProxyMetrics metrics,
                        Duration responseTimeout) {
        this.routing = routing;
        this.connector = connector;
        this.metrics = metrics;
        this.responseTimeout = responseTimeout;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setMaxChunkSize(65536)));
        ch.pipeline().addLast(IDLE_STATE, new IdleStateHandler(0, 0, CLIENT_IDLE.toMillis(), TimeUnit.MILLISECONDS));
        ch.pipeline().addLast(IDLE_CLOSE, new IdleCloser());
        ch.pipeline().addLast(PROXY, new FrontendHandler(routing, connector, metrics, responseTimeout));
    }
}
