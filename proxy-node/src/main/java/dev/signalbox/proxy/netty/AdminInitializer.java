package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.routing.RoutingState;
import dev.signalbox.proxy.status.NodeStatus;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** The admin port's pipeline: small requests, aggregated whole, answered by {@link AdminHandler}. */
final class AdminInitializer extends ChannelInitializer<Channel> {
    static final String HTTP_CODEC = "http-codec";
    static final String AGGREGATOR = "aggregator";
    static final String ADMIN = "admin";
    private static final int MAX_REQUEST_BYTES = 8192;

    private final RoutingState routing;
    private final ProxyMetrics metrics;
    private final NodeStatus status;

    AdminInitializer(RoutingState routing, ProxyMetrics metrics, NodeStatus status) {
        this.routing = routing;
        this.metrics = metrics;
        this.status = status;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(HTTP_CODEC, new HttpServerCodec());
        ch.pipeline().addLast(AGGREGATOR, new HttpObjectAggregator(MAX_REQUEST_BYTES));
        ch.pipeline().addLast(ADMIN, new AdminHandler(routing, metrics, status));
    }
}
