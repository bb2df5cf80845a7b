package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.HeaderRewriter;
import dev.signalbox.proxy.http.HttpsRedirect;
import dev.signalbox.proxy.http.Redirects;
import dev.signalbox.proxy.http.RequestChecks;
import dev.signalbox.proxy.http.RouteLimits;
import dev.signalbox.proxy.http.TrafficRequest;
import dev.signalbox.proxy.http.RouteHeaders;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Decision;
import dev.signalbox.routing.RequestTarget;
import dev.signalbox.proxy.routing.RoutingState;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies the requests of one client connection (or one HTTP/2 stream: its {@link ClientStream}), one exchange at a
 * time, on the connection's event loop.
 * Auto-read is off: the next client chunk is read only when the previous one was written to the backend,
 * and the next backend chunk only when the previous one was written to the client (Netty's
 * HexDumpProxy), so bodies stream through without being held whole. Messages decoded in one socket read
 * beyond what the exchange can take (a pipelined request, content while connecting) wait in a small queue.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);

    private final Frontend frontend;
    private final RoutingState routing;
    private final ProxyMetrics metrics;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** An HTTP/2 connection's timers, which its streams share; null on HTTP/1.1, where the handler has its own. */
    private final ResponseTimers connectionTimers;
    private ClientStream client;
    private ResponseTimers ownTimers;
    private ResponseTimer responseTimer;
    private RouteLimits nodeLimits;
    private HeaderRewriter.Forwarding forwarding;
    private Exchange exchange;
    private boolean closing;
    /** The proxy is shutting down: answer what is under way with Connection: close, take nothing new. */
    private boolean draining;

    /** The handler of an HTTP/1.1 connection. */
    FrontendHandler(Frontend frontend) {
        this(frontend, null);
    }

    /** The handler of one stream of an HTTP/2 connection whose response timers are {@code connectionTimers}. */
    FrontendHandler(Frontend frontend, ResponseTimers connectionTimers) {
        this.frontend = frontend;
        this.connectionTimers = connectionTimers;
        this.routing = frontend.routing();
        this.metrics = frontend.metrics();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        attach(ClientStream.of(ctx));
    }

    /** Serves {@code client}: as a channel handler, from {@link #handlerAdded}; a frame-level HTTP/2 stream, at once. */
    void attach(ClientStream client) {
        this.client = client;
        this.nodeLimits = RouteLimits.node(frontend.clients().maxBodyBytes(), frontend.responseTimeout());
        ResponseTimers timers = connectionTimers;
        if (timers == null) {
            timers = ownTimers = new ResponseTimers(client.eventLoop(), frontend.responseTimeout());
        }
        this.responseTimer = timers.timer(() -> {
            if (exchange != null) {
                exchange.onResponseTimeout();
            }
        });
    }

    private void stopResponseTimer() {
        responseTimer.stop();
        if (ownTimers != null) {
            ownTimers.stop();
        }
    }

    /** Replaced by a {@link Tunnel} after a protocol switch: nothing queued may leak. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closing = true;
        releaseQueue();
        stopResponseTimer();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        receive(msg);
    }

    /** A request part (or, on an HTTP/2 stream, a frame that is none: released). */
    void receive(Object msg) {
        queue.add(msg);
        drain();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clientClosed();
        ctx.fireChannelInactive();
    }

    /** The client connection (or stream) closed: what is under way is dropped. */
    void clientClosed() {
        closing = true;
        releaseQueue();
        stopResponseTimer();
        if (exchange != null) {
            exchange.abort();
            exchange = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ClientConnections.DRAIN) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        draining = true;
        if (exchange == null && queue.isEmpty()) {
            closeWhenIdle();
        } else if (exchange != null && !exchange.answered()) {
            // Its response will say Connection: close, and the connection closes after it.
            exchange.closeAfterResponse();
        }
        // A response whose head already promised keep-alive finishes as promised; complete() then waits
        // like an idle connection, since the client may reuse the connection at once.
    }

    /**
     * Draining and idle between requests. A request may be on its way: give it a moment to arrive and be
     * answered with Connection: close, then close if still idle (closing at once races a client's next
     * request, which would meet a reset).
     */
    private void closeWhenIdle() {
        client.eventLoop().schedule(() -> {
            if (exchange == null && queue.isEmpty() && !closing) {
                closing = true;
                client.close();
            }
        }, ClientConnections.IDLE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection {} failed", ctx.channel(), cause);
        client.close();
    }

    /** Feeds queued messages to the exchange as far as it can take them, then asks for more if needed. */
    void drain() {
        while (!queue.isEmpty() && !closing) {
            Object msg = queue.peek();
            if (!(msg instanceof HttpObject)) {
                // An HTTP/2 stream passes frames its codec does not turn into HTTP objects (a reset).
                ReferenceCountUtil.release(queue.poll());
                continue;
            }
            if (exchange == null) {
                queue.poll();
                if (msg instanceof HttpRequest request) {
                    start(request);
                } else {
                    ReferenceCountUtil.release(msg);
                }
                continue;
            }
            if (msg instanceof HttpContent bad && bad.decoderResult().isFailure()) {
                queue.poll();
                bad.release();
                rejectMalformed(bad.decoderResult().cause());
                break;
            }
            if (msg instanceof HttpRequest || !exchange.acceptsContent()) {
                break;
            }
            queue.poll();
            exchange.onRequestContent((HttpContent) msg);
        }
        if (closing) {
            releaseQueue();
            return;
        }
        if (queue.isEmpty() && (exchange == null || exchange.wantsRequestContent())) {
            client.read();
        }
    }

    private void releaseQueue() {
        for (Object o; (o = queue.poll()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    private void start(HttpRequest request) {
        CompiledTable table = routing.current();
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(request);
            rejectMalformed(request.decoderResult().cause());
            return;
        }
        RequestChecks.Refusal refusal = RequestChecks.check(request);
        if (refusal != null) {
            ReferenceCountUtil.release(request);
            refuse(refusal.status(), refusal.reason());
            return;
        }
        RequestTarget target = RequestTarget.parse(request.method().name(), request.uri());
        if (target instanceof RequestTarget.Invalid invalid) {
            // The message itself was framed correctly, so the connection stays usable.
            Exchange ex = new Exchange(this, table, CompiledTable.NO_ROUTE, request);
            exchange = ex;
            ex.respondLocally(request, HttpResponseStatus.BAD_REQUEST, invalid.reason());
            return;
        }
        RequestTarget.Valid valid = (RequestTarget.Valid) target;
        String sentTarget = request.uri();
        // The backend sees the path the route was chosen on (see RequestTarget).
        request.setUri(valid.forwardUri());
        // RFC 9112 3.2.2: an absolute-form target's authority is the host, whatever Host says; otherwise
        // the one Host field (RequestChecks refused repeats).
        String host = valid.authority() != null ? valid.authority() : request.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            request.headers().set(HttpHeaderNames.HOST, host);
        }
        ClientCertificates.Refusal certificate = ClientCertificates.check(client.connection(), host);
        RequestTarget.Valid errorPage = ClientCertificates.internalRedirect(certificate, request);
        if (errorPage != null) {
            valid = errorPage;
            sentTarget = errorPage.forwardUri();
        } else if (certificate != null) {
            exchange = new Exchange(this, table, CompiledTable.NO_ROUTE, request);
            exchange.respondLocally(request, certificate.response(client.alloc(), table.version(), HttpUtil.isKeepAlive(request)));
            return;
        }
        long now = System.nanoTime();
        TrafficRequest traffic = new TrafficRequest(request.headers(), sentTarget, forwarding(), frontend.latency(), now);
        HeaderRewriter.Forwarding from = forwarding();
        boolean https = HttpsRedirect.overHttps(frontend.overTls(), request.headers().get("X-Forwarded-Proto"),
                from.peerTrusted());
        Decision d = table.route(host, valid.path(), https, e -> !frontend.outliers().ejected(e, now), traffic);
        String location = d instanceof Decision.RedirectToHttps
                ? HttpsRedirect.location(host, sentTarget, frontend.publicHttpsPort()) : null;
        Exchange ex = new Exchange(this, table, d.route(), request);
        exchange = ex;
        RouteHeaders headers = d.headers() == null ? null
                : RouteHeaders.of(d.headers(), request.method(), request.headers().get(HttpHeaderNames.ORIGIN));
        ex.setRouteHeaders(headers);
        if (headers != null && headers.preflight()) {
            // A CORS preflight is answered before access is checked, as nginx's rewrite phase runs before its access phase.
            ex.respondLocally(request, Responses.preflight(table.version(), HttpUtil.isKeepAlive(request)));
            return;
        }
        Routed routed = new Routed(request, host, sentTarget, table, traffic);
        if (d instanceof Decision.Restricted r) {
            // Source ranges and credentials (issue 18); the answer may come later (bcrypt, auth-url), on this loop.
            frontend.access().check(r.rules(), request, forwarding(), client, table.version(), ex::setAuthCookies, refused -> {
                if (!isCurrent(ex) || closing) {
                    ReferenceCountUtil.release(request);
                    ReferenceCountUtil.release(refused);
                } else if (refused != null) {
                    ex.respondLocally(request, refused);
                } else {
                    dispatch(ex, routed, r.then(), null);
                }
            });
            return;
        }
        dispatch(ex, routed, d, location);
    }

    /** A request head as routed: what answering or forwarding it needs. */
    private record Routed(HttpRequest request, String host, String sentTarget, CompiledTable table,
                          TrafficRequest traffic) {
    }

    /** Answers or forwards the request as {@code d} says; {@code location} is the redirect to HTTPS, if any. */
    private void dispatch(Exchange ex, Routed routed, Decision d, String location) {
        HttpRequest request = routed.request();
        String host = routed.host();
        String sentTarget = routed.sentTarget();
        CompiledTable table = routed.table();
        TrafficRequest traffic = routed.traffic();
        if (location != null) {
            ex.respondLocally(request, Responses.redirect(client.alloc(), location, table.version(),
                    HttpUtil.isKeepAlive(request)));
        } else if (d instanceof Decision.RedirectToHttps) {
            ex.respondLocally(request, HttpResponseStatus.BAD_REQUEST,
                    "this route is served over HTTPS only and the request has no Host to redirect to");
        } else if (d instanceof Decision.Redirect r) {
            ex.respondLocally(request, Responses.redirect(client.alloc(), r.status(), Redirects.location(r,
                    forwarding().scheme(), host, forwarding().port(), sentTarget), table.version(), HttpUtil.isKeepAlive(request)));
        } else if (d instanceof Decision.Forward f) {
            ex.forward(request, f, traffic.latencyRead());
        } else if (d instanceof Decision.Unavailable u) {
            metrics.upstreamError(u.route(), "no_endpoints");
            ex.respondLocally(request, HttpResponseStatus.SERVICE_UNAVAILABLE, u.reason());
        } else if (d instanceof Decision.NotFound n) {
            ex.respondLocally(request, HttpResponseStatus.NOT_FOUND, n.reason());
        }
    }

    /** A request the decoder could not parse (RFC 9112 2.2): 400 and close. */
    private void rejectMalformed(Throwable cause) {
        refuse(HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
    }

    /**
     * A request whose framing cannot be trusted: {@code status} and close, or only close when a response to
     * the current exchange is already under way.
     */
    private void refuse(HttpResponseStatus status, String reason) {
        closing = true;
        Exchange ex = exchange;
        exchange = null;
        if (ex != null) {
            ex.abort();
            if (ex.answered()) {
                client.close();
                return;
            }
        }
        metrics.response(ex == null ? CompiledTable.NO_ROUTE : ex.route(), ProxyMetrics.NO_LOCALITY, status.code(), 0);
        client.writeAndFlush(Responses.plain(client.alloc(), status, reason, routing.current().version(), false))
                .addListener(f -> client.close());
    }

    ClientStream client() {
        return client;
    }

    Frontend frontend() {
        return frontend;
    }

    /**
     * What the proxy knows of this connection, for the identity fields; worked out once per connection. Its
     * {@code peer} is the client's address ({@link ClientOrigin}: the socket's, or the PROXY protocol header's).
     */
    HeaderRewriter.Forwarding forwarding() {
        if (forwarding == null) {
            ClientOrigin origin = ClientOrigin.of(client.connection());
            forwarding = new HeaderRewriter.Forwarding(origin.address(), frontend.overTls() ? "https" : "http",
                    origin.serverPort(), frontend.trusted(), ClientCertificates.fields(client.connection()));
        }
        return forwarding;
    }

    /** The node's body size limit, timeouts and retries, which a route's annotations override. */
    RouteLimits nodeLimits() {
        return nodeLimits;
    }

    /** The connection's response timeout, armed by the exchange under way. */
    ResponseTimer responseTimer() {
        return responseTimer;
    }

    /** Whether {@code ex} is the exchange under way; callbacks of one that ended are ignored. */
    boolean isCurrent(Exchange ex) {
        return exchange == ex;
    }

    /** The client connection is closing: nothing new starts. */
    boolean closing() {
        return closing;
    }

    /** The proxy is shutting down: responses say Connection: close. */
    boolean draining() {
        return draining;
    }

    /** Closes the client connection, or resets the stream (a response cut short, or done with). */
    void closeConnection() {
        closing = true;
        client.close();
    }

    /** {@code ex} ended: the next pipelined request may start, or the connection closes. */
    void finished(Exchange ex, boolean keepOpen) {
        if (exchange == ex) {
            exchange = null;
        }
        if (!keepOpen) {
            closeConnection();
            return;
        }
        drain();
        if (draining && exchange == null && queue.isEmpty()) {
            closeWhenIdle();
        }
    }
}
