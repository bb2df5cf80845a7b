package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.accesslog.AccessEntry;
import dev.signalbox.proxy.accesslog.AccessLog;
import dev.signalbox.routing.CompiledTable;
import dev.signalbox.schemas.snapshot.Endpoint;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;

/**
 * What an exchange the access log samples collects while it runs: sizes and the upstream's time. Created only for
 * a sampled request, touched on its connection's event loop only; {@link #finish} makes the log's entry.
 */
final class AccessRecorder {
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos;
    private final String client;
    private final String method;
    private final String host;
    private final String path;
    private final String requestId;
    long bytesIn;
    long bytesOut;
    private long upstreamStart = -1;
    private long upstreamNanos = -1;

    AccessRecorder(long startNanos, String client, String method, String host, String path, String requestId) {
        this.startNanos = startNanos;
        this.client = client;
        this.method = method;
        this.host = host;
        this.path = path;
        this.requestId = requestId;
    }

    /** The request's head goes to a backend (again, on a retry: the last attempt is timed). */
    void upstreamStarted() {
        upstreamStart = System.nanoTime();
        upstreamNanos = -1;
    }

    /** The backend's response ended. */
    void upstreamEnded() {
        if (upstreamStart >= 0) {
            upstreamNanos = System.nanoTime() - upstreamStart;
        }
    }

    /**
     * A tunnel's line (a WebSocket's, over HTTP/1.1 or an HTTP/2 stream): written when {@code client} closes, as
     * nginx logs an upgraded connection when it ends, so that its bytes ({@link Tunnel} adds what it relays) and its
     * time, upstream's included, are the whole tunnel's.
     */
    void logWhenClosed(Channel client, int status, Endpoint upstream, String route, CompiledTable table, AccessLog log) {
        client.closeFuture().addListener(f -> {
            upstreamEnded();
            log.offer(finish(status, upstream, route, table.version()), table);
        });
    }

    AccessEntry finish(int status, Endpoint upstream, String route, long version) {
        String up = upstream == null ? null : NetUtil.toSocketAddressString(upstream.address(), upstream.port());
        return new AccessEntry(startMillis, client, method, host, path, status, bytesIn, bytesOut,
                System.nanoTime() - startNanos, up, upstreamNanos, route, null, version, requestId);
    }
}
