package dev.signalbox.proxy.netty;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.observability.Exposition;
import dev.signalbox.proxy.routing.RoutingState;
import dev.signalbox.routing.RoutesDocument;
import dev.signalbox.proxy.status.FeedHealth;
import dev.signalbox.proxy.status.NodeStatus;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Answers the admin endpoints: /healthz, /readyz (200 while a snapshot is applied and the node is not
 * draining, else 503; a JSON body with the detail), /routes (the applied snapshot as JSON) and /metrics.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final RoutingState routing;
    private final ProxyMetrics metrics;
    private final NodeStatus status;

    AdminHandler(RoutingState routing, ProxyMetrics metrics, NodeStatus status) {
        this.routing = routing;
        this.metrics = metrics;
        this.status = status;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        FullHttpResponse response;
        if (request.decoderResult().isFailure()) {
            response = text(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request\n", "text/plain; charset=utf-8");
        } else if (!HttpMethod.GET.equals(request.method())) {
            response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n", "text/plain; charset=utf-8");
        } else {
            response = route(ctx, new QueryStringDecoder(request.uri()).path());
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse route(ChannelHandlerContext ctx, String path) {
        String plain = "text/plain; charset=utf-8";
        switch (path) {
            case "/healthz":
                return text(ctx, HttpResponseStatus.OK, "ok\n", plain);
            case "/readyz":
                long v = routing.appliedVersion();
                boolean ready = v > 0 && !status.draining();
                return text(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        readyJson(v, status.draining(), status.feedView()) + "\n", "application/json");
            case "/routes":
                return text(ctx, HttpResponseStatus.OK, routesJson(routing.current().snapshot(), metrics.tlsProblems(),
                        routing.locality()),
                        "application/json");
            case "/metrics":
                return text(ctx, HttpResponseStatus.OK, metrics.prometheusText(), Exposition.CONTENT_TYPE);
            default:
                return text(ctx, HttpResponseStatus.NOT_FOUND, "no admin endpoint " + path + "\n", plain);
        }
    }

    /**
     * The /readyz body: {@code ready} (as the watcher's and the compiler's, and the status code) and {@code status}
     * ready, draining or no-snapshot; the applied version and when it was
     * applied; whether Kafka is reachable, when a broker last answered and since when none does. Readiness
     * does not depend on Kafka: a node serves its last snapshot through an outage.
     */
    static String readyJson(long version, boolean draining, FeedHealth.View feed) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("ready", !draining && version > 0);
        root.put("status", draining ? "draining" : version > 0 ? "ready" : "no-snapshot");
        root.put("snapshotVersion", version);
        root.put("snapshotAppliedAt", instant(feed.lastApplied()));
        ObjectNode kafka = root.putObject("kafka");
        kafka.put("reachable", feed.kafkaReachable());
        kafka.put("lastContactAt", instant(feed.lastContact()));
        kafka.put("unreachableSince", instant(feed.unreachableSince()));
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String instant(Instant t) {
        return t == null ? null : t.toString();
    }

    /**
     * The applied snapshot as {@link RoutesDocument} (shared with {@code bin/ingress show}), with this node's
     * own diagnostics.
     */
    static String routesJson(RoutingSnapshot snapshot, java.util.List<String> nodeDiagnostics,
                             dev.signalbox.routing.Locality node) {
        return RoutesDocument.json(snapshot, nodeDiagnostics, node);
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body,
                                         String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ByteBufUtil.writeUtf8(ctx.alloc(), body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }
}
