package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.HeaderRewriter;
import dev.signalbox.proxy.http.HttpsRedirect;
import dev.signalbox.proxy.http.RequestChecks;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Decision;
import dev.signalbox.routing.RequestTarget;
import dev.signalbox.proxy.routing.RoutingState;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies the requests of one client connection, one exchange at a time, on the connection's event loop.
 * Auto-read is off: the next client chunk is read only when the previous one was written to the backend,
 * and the next backend chunk only when the previous one was written to the client (Netty's
 * HexDumpProxy), so bodies stream through without being held whole. Messages decoded in one socket read
 * beyond what the exchange can take (a pipelined request, content while connecting) wait in a small queue.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);

    /** Connect failures retried per request, each on an endpoint not tried yet (Envoy retries once by default). */
    static final int MAX_CONNECT_RETRIES = 2;
    private static final java.util.Set<HttpMethod> IDEMPOTENT = java.util.Set.of(HttpMethod.GET, HttpMethod.HEAD,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE);

    private final Frontend frontend;
    private final RoutingState routing;
    private final BackendConnector connector;
    private final ProxyMetrics metrics;
    private final Duration responseTimeout;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    private boolean closing;
    /** The proxy is shutting down: answer what is under way with Connection: close, take nothing new. */
    private boolean draining;

    FrontendHandler(Frontend frontend) {
        this.frontend = frontend;
        this.routing = frontend.routing();
        this.connector = frontend.connector();
        this.metrics = frontend.metrics();
        this.responseTimeout = frontend.responseTimeout();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        queue.add(msg);
        drain();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        releaseQueue();
        if (exchange != null) {
            exchange.abort();
            exchange = null;
        }
        ctx.fireChannelInactive();
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
            exchange.clientKeepAlive = false;
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
        ctx.executor().schedule(() -> {
            if (exchange == null && queue.isEmpty() && !closing) {
                closing = true;
                ctx.close();
            }
        }, ClientConnections.IDLE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    /** Feeds queued messages to the exchange as far as it can take them, then asks for more if needed. */
    private void drain() {
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
            ctx.read();
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
            Exchange ex = new Exchange(table, CompiledTable.NO_ROUTE, request);
            exchange = ex;
            ex.respondLocally(request, HttpResponseStatus.BAD_REQUEST, invalid.reason());
            return;
        }
        RequestTarget.Valid valid = (RequestTarget.Valid) target;
        String sentTarget = request.uri();
        // The backend sees the path the route was chosen on (see RequestTarget).
        request.setUri(valid.forwardUri());
        // RFC 9112 3.2.2: an absolute-form target's authority is the host, whatever Host says; otherwise
        // one Host field (RequestChecks let only identical repeats through).
        String host = valid.authority() != null ? valid.authority() : request.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            request.headers().set(HttpHeaderNames.HOST, host);
        }
        long now = System.nanoTime();
        Decision d = table.route(host, valid.path(), frontend.overTls(), e -> !frontend.outliers().ejected(e, now));
        String location = d instanceof Decision.RedirectToHttps
                ? HttpsRedirect.location(host, sentTarget, frontend.publicHttpsPort()) : null;
        Exchange ex = new Exchange(table, d.route(), request);
        exchange = ex;
        if (location != null) {
            ex.respondLocally(request, Responses.redirect(ctx.alloc(), location, table.version(),
                    HttpUtil.isKeepAlive(request)));
        } else if (d instanceof Decision.RedirectToHttps) {
            ex.respondLocally(request, HttpResponseStatus.BAD_REQUEST,
                    "this route is served over HTTPS only and the request has no Host to redirect to");
        } else if (d instanceof Decision.Forward f) {
            ex.forward(request, f);
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
                ctx.close();
                return;
            }
        }
        metrics.response(ex == null ? CompiledTable.NO_ROUTE : ex.route, status.code(), 0);
        ctx.writeAndFlush(Responses.plain(ctx.alloc(), status, reason, routing.current().version(), false))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** One request and its response. Every field is touched on the client channel's event loop only. */
    private final class Exchange implements BackendListener {
        private final CompiledTable table;
        private final String route;
        private final HttpVersion clientVersion;
        private final HttpMethod method;
        private final long startNanos = System.nanoTime();
        private boolean clientKeepAlive;
        private String backendId;
        private Endpoint endpoint;
        /** How to speak TLS to the backend; null for plain HTTP. */
        private UpstreamTls upstreamTls;
        private HttpRequest pendingHead;
        /** The head as written, kept to replay it once when a reused connection turns out closed. */
        private HttpRequest sentHead;
        private boolean reusedConnection;
        private boolean bodySent;
        private boolean retried;
        /** Endpoints whose connection failed for this request; a retry goes elsewhere. */
        private java.util.List<Endpoint> failedEndpoints;
        private Channel backend;
        private boolean discarding;
        private boolean writeInFlight;
        private boolean requestDone;
        private boolean requestSent;
        private boolean interim;
        private boolean responseStarted;
        private boolean responseDone;
        private boolean backendKeepAlive;
        private int status;
        private ScheduledFuture<?> timeout;

        Exchange(CompiledTable table, String route, HttpRequest request) {
            this.table = table;
            this.route = route;
            this.clientVersion = request.protocolVersion();
            this.method = request.method();
            this.clientKeepAlive = HttpUtil.isKeepAlive(request) && !draining;
        }

        /** Whether the client already got (part of) a response to this request. */
        boolean answered() {
            return responseStarted || discarding;
        }

        boolean acceptsContent() {
            return discarding || (backend != null && !writeInFlight);
        }

        boolean wantsRequestContent() {
            return !requestDone && acceptsContent();
        }

        void forward(HttpRequest request, Decision.Forward f) {
            backendId = f.backendId();
            endpoint = f.endpoint();
            upstreamTls = table.upstreamTls(backendId);
            requestDone = request instanceof LastHttpContent;
            HttpRequest head = request;
            if (request instanceof FullHttpRequest full && !full.content().isReadable()) {
                // A body-less request whole in one message (every such HTTP/2 request): kept as a head alone,
                // which attach() completes, so that it can be replayed like an HTTP/1.1 one.
                head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
                full.release();
            }
            HeaderRewriter.forBackend(head, forwarding());
            pendingHead = head;
            Channel pooled = connector.pooled(ctx.channel().eventLoop(), endpoint, upstreamTls);
            if (pooled != null) {
                attach(pooled, true);
                return;
            }
            connectNew();
        }

        private void connectNew() {
            Endpoint target = endpoint;
            ChannelFuture connect = connector.connect(ctx.channel().eventLoop(), target, upstreamTls);
            connect.addListener(done -> onConnected(connect, target));
        }

        private void onConnected(ChannelFuture connect, Endpoint target) {
            if (connect.isSuccess()) {
                frontend.outliers().connected(target);
            }
            if (exchange != this || closing) {
                connect.channel().close();
                return;
            }
            if (connect.isSuccess()) {
                attach(connect.channel(), false);
                return;
            }
            Throwable cause = connect.cause();
            // A TLS failure is the backend's settings or certificate, the same on every endpoint: answered
            // at once, neither retried elsewhere nor counted against the endpoint by outlier detection.
            UpstreamTlsContexts.Failure tlsFailure = UpstreamTlsContexts.failure(cause);
            if (tlsFailure == null && retryElsewhere(target, cause)) {
                return;
            }
            HttpRequest head = pendingHead;
            pendingHead = null;
            if (tlsFailure != null) {
                respondTlsFailure(head, tlsFailure);
            } else if (cause instanceof ConnectTimeoutException) {
                respondLocally(head, HttpResponseStatus.GATEWAY_TIMEOUT, "timed out connecting to backend "
                        + backendId + " at " + address());
            } else {
                respondLocally(head, HttpResponseStatus.BAD_GATEWAY, "could not connect to backend " + backendId
                        + " at " + address() + ": " + cause.getMessage());
            }
            drain();
        }

        /**
         * After a failed connection: records the failure for outlier detection and, while retries are left,
         * sends the request to another endpoint of the backend. Always safe, whatever the method: nothing of
         * the request left the proxy (the head waits in {@code pendingHead}, the body in the queue).
         */
        private boolean retryElsewhere(Endpoint failed, Throwable cause) {
            long now = System.nanoTime();
            metrics.upstreamError(route, cause instanceof ConnectTimeoutException ? "connect_timeout" : "connect_refused");
            if (frontend.outliers().connectFailed(failed, table.endpoints(backendId), now)) {
                metrics.outlierEjection();
                LOG.info("ejected endpoint {} of backend {} after consecutive connect failures ({})",
                        NetUtil.toSocketAddressString(failed.address(), failed.port()), backendId, cause.getMessage());
            }
            if (failedEndpoints == null) {
                failedEndpoints = new java.util.ArrayList<>(MAX_CONNECT_RETRIES + 1);
            }
            failedEndpoints.add(failed);
            if (failedEndpoints.size() > MAX_CONNECT_RETRIES) {
                return false;
            }
            Decision.Forward next = table.another(backendId, route,
                    e -> failedEndpoints.contains(e) || frontend.outliers().ejected(e, now));
            if (next == null) {
                next = table.another(backendId, route, failedEndpoints::contains);
            }
            if (next == null) {
                return false;
            }
            metrics.retry(route, "connect_failure");
            endpoint = next.endpoint();
            Channel pooled = connector.pooled(ctx.channel().eventLoop(), endpoint, upstreamTls);
            if (pooled != null) {
                attach(pooled, true);
            } else {
                connectNew();
            }
            return true;
        }

        private void attach(Channel channel, boolean reused) {
            backend = channel;
            reusedConnection = reused;
            channel.pipeline().get(BackendHandler.class).attach(this);
            HttpRequest head = pendingHead;
            pendingHead = null;
            sentHead = head;
            // The request ended before this head was written: a replay, or a body-less request kept as a head.
            boolean endsRequest = requestDone && !(head instanceof LastHttpContent);
            write(head, head instanceof LastHttpContent);
            if (endsRequest) {
                write(LastHttpContent.EMPTY_LAST_CONTENT, true);
            }
            // Read from the start: a backend may answer before the request body is complete.
            channel.read();
        }

        void onRequestContent(HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            requestDone |= last;
            if (discarding) {
                content.release();
                finishLocalIfDone();
                return;
            }
            bodySent |= content.content().isReadable();
            write(content, last);
        }

        private void write(HttpObject msg, boolean last) {
            writeInFlight = true;
            Channel target = backend;
            target.writeAndFlush(msg).addListener(f -> {
                writeInFlight = false;
                if (!f.isSuccess()) {
                    target.close();
                } else if (last && exchange == this && backend == target) {
                    requestSent = true;
                    scheduleResponseTimeout();
                }
                if (exchange == this) {
                    drain();
                }
            });
        }

        private void scheduleResponseTimeout() {
            if (!responseStarted) {
                timeout = ctx.executor().schedule(this::onResponseTimeout, responseTimeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }

        private void cancelResponseTimeout() {
            if (timeout != null) {
                timeout.cancel(false);
                timeout = null;
            }
        }

        private void onResponseTimeout() {
            timeout = null;
            if (exchange != this || responseStarted) {
                return;
            }
            metrics.upstreamError(route, "response_timeout");
            dropBackend();
            respondLocally(null, HttpResponseStatus.GATEWAY_TIMEOUT, "backend " + backendId + " at " + address()
                    + " did not respond within " + responseTimeout.toMillis() + " ms");
        }

        @Override
        public void onResponse(HttpObject msg) {
            if (exchange != this || discarding) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                Throwable cause = msg.decoderResult().cause();
                dropBackend();
                onBackendClosed(cause);
                return;
            }
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                interim = code >= 100 && code < 200 && code != 101;
                if (!interim) {
                    responseStarted = true;
                    cancelResponseTimeout();
                    status = code;
                    backendKeepAlive = HttpUtil.isKeepAlive(response);
                }
                clientKeepAlive = HeaderRewriter.forClient(response, clientVersion, method,
                        clientKeepAlive && !draining, table.version());
            }
            boolean last = msg instanceof LastHttpContent;
            boolean endOfResponse = last && !interim;
            if (last) {
                interim = false;
            }
            Channel source = backend;
            ctx.writeAndFlush(msg).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                } else if (endOfResponse) {
                    onResponseWritten();
                } else if (source != null && backend == source) {
                    source.read();
                }
            });
        }

        private void onResponseWritten() {
            if (exchange != this) {
                return;
            }
            responseDone = true;
            if (requestSent && backendKeepAlive && backend != null && backend.isActive()) {
                connector.release(ctx.channel().eventLoop(), endpoint, upstreamTls, backend);
                backend = null;
            } else {
                dropBackend();
            }
            complete();
        }

        @Override
        public void onBackendClosed(Throwable cause) {
            if (exchange != this || responseDone || discarding) {
                return;
            }
            Channel closed = backend;
            backend = null;
            cancelResponseTimeout();
            if (canReplay()) {
                // A kept-alive connection the backend closed as we reused it (RFC 9112 9.3.1): replay once.
                retried = true;
                requestSent = false;
                pendingHead = sentHead;
                connectNew();
                return;
            }
            UpstreamTlsContexts.Failure tlsFailure = upstreamTls == null ? null : UpstreamTlsContexts.failure(cause);
            if (tlsFailure == null && upstreamTls != null && !reusedConnection) {
                tlsFailure = UpstreamTlsContexts.closedBeforeResponse(closed);
            }
            if (tlsFailure != null && !responseStarted) {
                // An alert after the handshake, or a close right after it (TLS 1.3 checks client certificates late).
                respondTlsFailure(null, tlsFailure);
                return;
            }
            metrics.upstreamError(route, "closed");
            if (responseStarted) {
                // Part of the response is on the wire: only closing tells the client it is truncated.
                closing = true;
                ctx.close();
                return;
            }
            respondLocally(null, HttpResponseStatus.BAD_GATEWAY, "backend " + backendId + " at " + address()
                    + " closed the connection before responding" + (cause == null ? "" : ": " + cause.getMessage()));
        }

        private void respondTlsFailure(HttpObject requestPart, UpstreamTlsContexts.Failure failure) {
            metrics.upstreamError(route, failure.kind());
            respondLocally(requestPart, HttpResponseStatus.BAD_GATEWAY, "TLS with backend " + backendId + " at "
                    + address() + " failed: " + failure.reason());
        }

        /** Only an idempotent request (RFC 9110 9.2.2) whose body was not started, on a reused connection. */
        private boolean canReplay() {
            return reusedConnection && !retried && !responseStarted && !bodySent && sentHead != null
                    && !(sentHead instanceof HttpContent)
                    && IDEMPOTENT.contains(method);
        }

        /** Answers the client with {@code status} and {@code reason}; the rest of the request body is dropped. */
        void respondLocally(HttpObject requestPart, HttpResponseStatus st, String reason) {
            respondLocally(requestPart, Responses.plain(ctx.alloc(), st, reason, table.version(), clientKeepAlive));
        }

        /** Answers the client with {@code response}; the rest of the request body is dropped. */
        void respondLocally(HttpObject requestPart, FullHttpResponse response) {
            if (requestPart != null) {
                requestDone |= requestPart instanceof LastHttpContent;
                ReferenceCountUtil.release(requestPart);
            }
            discarding = true;
            status = response.status().code();
            cancelResponseTimeout();
            ctx.writeAndFlush(response)
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            ctx.close();
                            return;
                        }
                        responseDone = true;
                        finishLocalIfDone();
                    });
        }

        private void finishLocalIfDone() {
            if (exchange != this || !responseDone) {
                return;
            }
            if (requestDone) {
                complete();
            } else if (!clientKeepAlive) {
                complete();
            } else {
                drain();
            }
        }

        private void complete() {
            metrics.response(route, status, System.nanoTime() - startNanos);
            exchange = null;
            if (!clientKeepAlive || !requestDone) {
                closing = true;
                ctx.close();
            } else {
                drain();
                if (draining && exchange == null && queue.isEmpty()) {
                    closeWhenIdle();
                }
            }
        }

        private void dropBackend() {
            Channel b = backend;
            backend = null;
            if (b != null) {
                b.pipeline().get(BackendHandler.class).detach();
                b.close();
            }
        }

        void abort() {
            cancelResponseTimeout();
            ReferenceCountUtil.release(pendingHead);
            pendingHead = null;
            dropBackend();
        }

        private String address() {
            return NetUtil.toSocketAddressString(endpoint.address(), endpoint.port());
        }

        private HeaderRewriter.Forwarding forwarding() {
            String peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a
                    ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
            int port = ctx.channel().localAddress() instanceof InetSocketAddress l ? l.getPort() : 0;
            return new HeaderRewriter.Forwarding(peer, frontend.overTls() ? "https" : "http", port, frontend.trusted());
        }
    }
}
