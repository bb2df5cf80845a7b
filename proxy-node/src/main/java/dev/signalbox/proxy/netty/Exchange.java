package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.BackendFailures;
import dev.signalbox.proxy.http.CustomErrors;
import dev.signalbox.proxy.http.Grpc;
import dev.signalbox.proxy.http.HeaderRewriter;
import dev.signalbox.proxy.http.NextUpstream;
import dev.signalbox.proxy.http.RouteLimits;
import dev.signalbox.proxy.http.RequestChecks;
import dev.signalbox.proxy.http.Rewrites;
import dev.signalbox.proxy.http.Upgrade;
import dev.signalbox.proxy.http.ExternalAuthAnswer;
import dev.signalbox.proxy.http.RequestId;
import dev.signalbox.proxy.http.TrafficRequest;
import dev.signalbox.routing.Sticky;
import dev.signalbox.proxy.http.RouteHeaders;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.routing.RateLimits;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Decision;
import dev.signalbox.routing.Locality;
import dev.signalbox.proxy.tls.UpstreamTlsContexts;
import dev.signalbox.schemas.snapshot.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request of a client connection and its response, from the route decision to the last byte: connects
 * (or takes a pooled connection), streams the request to the backend and the response back, and answers
 * locally when there is nothing to forward to or the backend fails. What to do on a failure is
 * {@link BackendFailures}'s decision. Every field is touched on the client channel's event loop only; the
 * {@link FrontendHandler} owns the connection and feeds the request's parts in.
 */
final class Exchange implements BackendListener {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    /** Where the response is. Request progress is {@link Request}; the two overlap (a backend may answer early). */
    enum Phase {
        /** Waiting for a backend connection, new or pooled; the head waits in {@code pendingHead}. */
        CONNECTING,
        /** The request goes to (or went to) the backend; no final response head yet. */
        FORWARDING,
        /** An interim (1xx) response is being passed on; the final one is still to come. */
        INTERIM,
        /** The backend's final response head arrived; its parts stream to the client. */
        RESPONDING,
        /** The whole response was written to the client. */
        RESPONDED,
        /** The proxy answers itself; the rest of the request body is read and dropped. */
        ANSWERING_LOCALLY,
        /** The proxy's own answer was written; the rest of the request body is still read and dropped. */
        ANSWERED_LOCALLY,
        /**
         * The backend's whole answer was written to an HTTP/1.1 client still sending the request body: the rest of the
         * body is read and dropped as after the proxy's own answer ({@link #onResponseWritten}).
         */
        ANSWERED_EARLY;

        boolean responseStarted() {
            return this == RESPONDING || this == RESPONDED;
        }

        /** Whether the backend is done with and the rest of the request body is read and dropped. */
        boolean local() {
            return this == ANSWERING_LOCALLY || this == ANSWERED_LOCALLY || this == ANSWERED_EARLY;
        }

        /** Whether the client already got (part of) a response. */
        boolean answered() {
            return responseStarted() || local();
        }
    }

    /** How much of the request there is. */
    enum Request {
        /** The client is still sending it. */
        RECEIVING,
        /** The client sent all of it. */
        RECEIVED,
        /** All of it was written to the current backend connection. */
        SENT
    }

    private final FrontendHandler owner;
    private final ClientStream client;
    private final Frontend frontend;
    private final ProxyMetrics metrics;
    private final CompiledTable table;
    private final String route;
    private final HttpVersion clientVersion;
    private final HttpMethod method;
    private final long startNanos = System.nanoTime();
    /** The request's X-Request-ID (kept or generated), sent to the backend and echoed to the client. */
    private final String requestId;
    /** Non-null when the access log samples this request. */
    private final AccessRecorder access;
    private Phase phase = Phase.CONNECTING;
    private Request request = Request.RECEIVING;
    /** Whether the client connection stays open after this response (what the response says). */
    private boolean clientKeepAlive;
    private boolean backendKeepAlive;
    private String backendId;
    private Endpoint endpoint;
    /** Where {@code endpoint} runs as seen from this node; null while none was chosen (a local answer). */
    private Locality.Tier locality;
    /** How to speak to the backend: TLS or not, HTTP/2 or HTTP/1.1. */
    private Upstream upstream;
    private HttpRequest pendingHead;
    /** The head as written, kept to replay it once when a reused connection turns out closed. */
    private HttpRequest sentHead;
    private Channel backend;
    private boolean reusedConnection;
    private boolean bodySent;
    private boolean replayed;
    /** A request part is being written to the backend; the next waits (HexDumpProxy). */
    private boolean writeInFlight;
    /**
     * The backend ended its HTTP/2 stream before the request body was all written to it (RFC 9113 8.1: a server may
     * answer in full first, then reset the stream with NO_ERROR): the rest of the body is dropped, the response read on.
     */
    private boolean bodyRefused;
    /**
     * The backend's response was read to its end and is being written to the client: the backend may close now (an
     * HTTP/2 stream closes once both sides ended it; an HTTP/1.1 backend after Connection: close) without cutting it.
     */
    private boolean responseRead;
    /**
     * Parts of the response were written to the client and wait for the end of the backend's read to be flushed
     * ({@link #onResponseReadComplete}). Without it that flush would also run after the last part, already flushed: an
     * empty flush is not free over TLS (Netty's SslHandler wraps an empty buffer and flushes the socket).
     */
    private boolean unflushed;
    /**
     * The backend's final response head, not yet written: it waits for the next part of the same backend read, with
     * which it goes out as one message when that part is the end ({@link #withHeldHead}), or for the end of the read.
     */
    private HttpResponse heldHead;
    /** The head was the whole request ({@link #forward}); the decoder's empty end that follows is dropped. */
    private boolean dropEmptyEnd;
    /** Endpoints whose connection failed for this request; a retry goes elsewhere. */
    private List<Endpoint> failedEndpoints;
    private int status;
    /** The protocol the client asked to switch to (a WebSocket handshake), or null. */
    private String upgrade;
    /** A gRPC call: the proxy's own answers are gRPC statuses (see {@link Grpc}). */
    private final boolean grpc;
    /** The session cookie when the backend keeps sessions (issue 18), and the request's User-Agent; null otherwise. */
    private Sticky sticky;
    private String stickyAgent;
    /** Whether the response time counts for load-balance: ewma, counted from when the request was forwarded. */
    private boolean measured;
    private long measuredFrom;
    /** The call's grpc-timeout running out; null when none. */
    private ScheduledFuture<?> grpcDeadline;
    /** Body size, timeouts and retries: the route's over the node's (see {@link RouteLimits}). */
    private RouteLimits limits;
    /** Request body bytes received so far, against {@code limits.maxBodyBytes()}. */
    private long bodyBytes;
    /** After a 413 the rest of the body is read and dropped for a while before the connection closes (nginx's lingering close), so the client reads the answer. */
    private ScheduledFuture<?> lingerClose;
    private static final long LINGER_SECONDS = 5;
    private static final String X_REAL_IP = "x-real-ip";
    /** The rate limit whose concurrency slot this request holds ({@code limit-connections}), and for whom. */
    private ProxyLimits.RateLimit heldRate;
    private String heldClient;
    /** What the route adds to the answer (CORS, response fields); null for none, nearly every route. */
    private RouteHeaders routeHeaders;
    /** The statuses the route's default backend answers instead (custom-http-errors); null for none, nearly every route. */
    private CustomErrors errorPages;
    /** The auth-url service's Set-Cookie values for the answer (ExternalAuthAnswer.addCookies); null for none. */
    private List<String> authCookies;

    Exchange(FrontendHandler owner, CompiledTable table, String route, HttpRequest head) {
        this.owner = owner;
        this.client = owner.client();
        this.frontend = owner.frontend();
        this.metrics = frontend.metrics();
        this.table = table;
        this.route = route;
        this.clientVersion = head.protocolVersion();
        this.method = head.method();
        this.clientKeepAlive = HeaderRewriter.keepAlive(head) && !owner.draining();
        this.grpc = Grpc.isGrpc(head.headers().get(HttpHeaderNames.CONTENT_TYPE));
        this.requestId = RequestId.ensure(head.headers());
        this.limits = owner.nodeLimits();
        this.access = metrics.accessLog().sampled() ? new AccessRecorder(startNanos, owner.forwarding().peer(),
                method.name(), head.headers().get(io.netty.handler.codec.http.HttpHeaderNames.HOST), head.uri(), requestId)
                : null;
    }

    String route() {
        return route;
    }

    void setRouteHeaders(RouteHeaders headers) {
        routeHeaders = headers;
    }

    void setAuthCookies(List<String> cookies) {
        authCookies = cookies;
    }

    Phase phase() {
        return phase;
    }

    /** Whether the client already got (part of) a response to this request. */
    boolean answered() {
        return phase.answered();
    }

    /** Draining: the response will say Connection: close, and the connection closes after it. */
    void closeAfterResponse() {
        clientKeepAlive = false;
    }

    boolean acceptsContent() {
        return phase.local() || dropEmptyEnd || (backend != null && !writeInFlight);
    }

    /**
     * Whether the client connection should read on. While the decoder's empty end of a whole head is still to come
     * (from bytes already read) it reads ahead too: a connection whose read interest lapsed between requests costs
     * two epoll_ctl calls per request to drop and set it again; what it reads waits in the queue.
     */
    boolean wantsRequestContent() {
        return (request == Request.RECEIVING || dropEmptyEnd) && acceptsContent();
    }

    /**
     * Sends the request to {@code f}'s endpoint; {@code measure}: the route balances by response times (ewma), so the
     * time to the response head is recorded for the endpoint that answers.
     */
    void forward(HttpRequest head, Decision.Forward f, boolean measure) {
        measured = measure;
        // Read only when measured (ewma): no clock read per request otherwise.
        measuredFrom = measure ? System.nanoTime() : 0;
        limits = limits.with(f.limits());
        if (head instanceof HttpContent whole) {
            bodyBytes = whole.content().readableBytes();
        }
        if (limits.tooLarge(Math.max(declaredLength(head), bodyBytes))) {
            // Before any of the body is read or a backend is asked, as nginx's client_max_body_size.
            refuseTooLarge(head);
            return;
        }
        backendId = f.backendId();
        endpoint = f.endpoint();
        locality = f.locality();
        errorPages = grpc ? null : CustomErrors.of(f.errors(), head);
        sticky = f.sticky();
        stickyAgent = sticky == null ? null : head.headers().get(HttpHeaderNames.USER_AGENT);
        upstream = Upstream.of(table.upstreamTls(backendId), table.http2(backendId));
        if (grpc) {
            startGrpcDeadline(head.headers().get(GRPC_TIMEOUT));
        }
        if (head instanceof LastHttpContent) {
            request = Request.RECEIVED;
        }
        HttpRequest h = head;
        if (head instanceof FullHttpRequest full && !full.content().isReadable()) {
            // A body-less request whole in one message (every such HTTP/2 request): kept as a head alone,
            // which attach() completes, so that it can be replayed like an HTTP/1.1 one.
            h = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            full.release();
        }
        upgrade = Upgrade.requested(h);
        if (request == Request.RECEIVING && upgrade == null && !client.http2()
                && RequestChecks.hasNoBody(h)) {
            // The head is the whole request: it goes out with its end in one write and one flush (attach).
            request = Request.RECEIVED;
            dropEmptyEnd = true;
        }
        HeaderRewriter.forBackend(h, owner.forwarding());
        if (routeHeaders != null) {
            routeHeaders.toBackend(h.headers());
        }
        if (f.limits() != null && f.limits().rate() != null && !withinRate(f.limits().rate(), h)) {
            return;
        }
        if (upgrade != null) {
            Upgrade.forward(h.headers(), upgrade);
        }
        Rewrites.apply(h, f.rewrite());
        pendingHead = h;
        Channel pooled = frontend.connector().pooled(client.eventLoop(), endpoint, upstream);
        if (pooled != null) {
            attach(pooled, true);
            return;
        }
        connectNew();
    }

    private void connectNew() {
        phase = Phase.CONNECTING;
        Endpoint target = endpoint;
        Future<Channel> connect = frontend.connector().connect(client.eventLoop(), target, upstream,
                limits.connectTimeout());
        connect.addListener(done -> onConnected(connect, target));
    }

    private void onConnected(Future<Channel> connect, Endpoint target) {
        if (connect.isSuccess()) {
            frontend.outliers().connected(target);
        }
        if (!owner.isCurrent(this) || owner.closing() || phase.local()) {
            if (connect.isSuccess()) {
                connect.getNow().close();
            }
            return;
        }
        if (connect.isSuccess()) {
            attach(connect.getNow(), false);
            return;
        }
        Throwable cause = connect.cause();
        boolean timedOut = cause instanceof ConnectTimeoutException;
        UpstreamTlsContexts.Failure tls = UpstreamTlsContexts.failure(cause);
        if (tls == null) {
            // A TLS failure is the backend's settings or certificate, the same on every endpoint: it does not
            // count against this endpoint (BackendFailures answers it at once).
            recordConnectFailure(target, cause, timedOut);
        }
        BackendFailures.Target t = target();
        BackendFailures.Outcome outcome = BackendFailures.connectFailed(t, tls, timedOut, cause.getMessage(),
                method.name(), tries(failedEndpoints == null ? 0 : failedEndpoints.size()));
        if (outcome instanceof BackendFailures.RetryElsewhere) {
            Decision.Forward next = nextEndpoint();
            if (next != null) {
                sendTo(next, "connect_failure");
                return;
            }
            outcome = BackendFailures.cannotConnect(t, timedOut, cause.getMessage());
        }
        HttpRequest head = pendingHead;
        pendingHead = null;
        reply(head, (BackendFailures.Reply) outcome);
        owner.drain();
    }

    /** Counts a failed connection for the metrics and outlier detection, and keeps it off this request's retries. */
    private void recordConnectFailure(Endpoint failed, Throwable cause, boolean timedOut) {
        metrics.upstreamError(route, timedOut ? "connect_timeout" : "connect_refused");
        if (frontend.outliers().connectFailed(failed, table.endpoints(backendId), System.nanoTime())) {
            metrics.outlierEjection();
            LOG.info("ejected endpoint {} of backend {} after consecutive connect failures ({})",
                    NetUtil.toSocketAddressString(failed.address(), failed.port()), backendId, cause.getMessage());
        }
        tried(failed);
    }

    private void tried(Endpoint e) {
        if (failedEndpoints == null) {
            failedEndpoints = new ArrayList<>(4);
        }
        failedEndpoints.add(e);
    }

    /** How far the request's tries got, under its route's policy. */
    private BackendFailures.Tries tries(int tried) {
        return new BackendFailures.Tries(limits.nextUpstream(), tried, System.nanoTime() - startNanos);
    }

    /** Another endpoint of the backend, not tried yet and preferably not ejected; null when there is none. */
    private Decision.Forward nextEndpoint() {
        long now = System.nanoTime();
        Decision.Forward next = table.another(backendId, route,
                e -> failedEndpoints.contains(e) || frontend.outliers().ejected(e, now));
        return next != null ? next : table.another(backendId, route, failedEndpoints::contains);
    }

    /**
     * Sends the request to {@code next}. Safe whatever the method after a failed connection (nothing of the request
     * left the proxy: the head waits in {@code pendingHead}, the body in the client's queue and socket); after an
     * answer only for a request without body, as {@link BackendFailures#passOn} decides. {@code reason}: the retry's,
     * counted; null for a request that is not a retry (a custom error page's).
     */
    private void sendTo(Decision.Forward next, String reason) {
        if (reason != null) {
            metrics.retry(route, reason);
        }
        endpoint = next.endpoint();
        locality = next.locality();
        sticky = sticky == null ? null : sticky.retriedOn(endpoint);
        Channel pooled = frontend.connector().pooled(client.eventLoop(), endpoint, upstream);
        if (pooled != null) {
            attach(pooled, true);
        } else {
            connectNew();
        }
    }

    /**
     * The backend answered {@code status} (0: its head did not come within the read timeout) to the whole request:
     * when the route's policy passes that on and another endpoint is left, the answer is dropped and the request sent
     * there (nginx's {@code proxy_next_upstream http_502 ...}, {@code timeout}); false when it is answered as it is.
     */
    private boolean passOn(int status) {
        if (request == Request.RECEIVING || sentHead == null) {
            return false;
        }
        BackendFailures.Progress progress = new BackendFailures.Progress(method.name(), reusedConnection, replayed,
                bodySent || sentHead instanceof HttpContent, phase.responseStarted());
        if (!BackendFailures.passOn(status, progress, tries((failedEndpoints == null ? 0 : failedEndpoints.size()) + 1))) {
            return false;
        }
        tried(endpoint);
        Decision.Forward next = nextEndpoint();
        if (next == null) {
            failedEndpoints.remove(failedEndpoints.size() - 1);
            return false;
        }
        dropBackend();
        cancelResponseTimeout();
        request = Request.RECEIVED;
        pendingHead = sentHead;
        sendTo(next, status == 0 ? NextUpstream.Condition.TIMEOUT.label() : NextUpstream.Condition.ofStatus(status).label());
        return true;
    }

    /**
     * ingress-nginx's {@code custom-http-errors}: the backend's answer, whose status is one of the route's, is dropped
     * on its head (nothing of it reached the client; its connection is closed, which releases the rest) and the
     * Ingress's default backend asked instead ({@link CustomErrors}), once; without one the proxy answers with its
     * own page of that status. Only for a request the client sent whole, as {@link #passOn} (this proxy streams the
     * body and cannot send it again); false when the answer is passed on as it is.
     */
    private boolean toErrorPage(HttpResponse response) {
        int code = response.status().code();
        if (!errorPages.intercepts(code) || request == Request.RECEIVING || sentHead == null || upgrade != null) {
            return false;
        }
        CustomErrors pages = errorPages;
        errorPages = null;
        ReferenceCountUtil.release(response);
        dropBackend();
        cancelResponseTimeout();
        long now = System.nanoTime();
        Decision.Forward next = pages.endpoint(table, route, e -> frontend.outliers().ejected(e, now));
        if (next == null) {
            respondLocally(null, HttpResponseStatus.valueOf(code), pages.reason(code));
            return true;
        }
        backendId = next.backendId();
        upstream = Upstream.of(table.upstreamTls(backendId), table.http2(backendId));
        sticky = null;
        measured = false;
        failedEndpoints = null;
        bodySent = false;
        replayed = false;
        request = Request.RECEIVED;
        pendingHead = pages.request(sentHead, code);
        sendTo(next, null);
        return true;
    }

    /**
     * ingress-nginx's {@code limit-rps}, {@code limit-rpm}, {@code limit-connections} for the route's Ingress and the
     * client: false, after answering 503 (ingress-nginx's {@code limit-req-status-code} default), when over them.
     * The client is X-Real-IP as {@link HeaderRewriter} just wrote it: the peer (or the PROXY header's address), or
     * from a trusted proxy the nearest untrusted X-Forwarded-For hop, nginx's {@code $binary_remote_addr} after
     * its realip module.
     */
    private boolean withinRate(ProxyLimits.RateLimit rate, HttpRequest h) {
        String client = h.headers().get(X_REAL_IP);
        RateLimits.Verdict v = frontend.rateLimits().admit(rate, client == null ? "" : client, System.nanoTime());
        if (v == RateLimits.Verdict.ADMITTED_HOLDING) {
            heldRate = rate;
            heldClient = client == null ? "" : client;
        }
        if (v == RateLimits.Verdict.ADMITTED || v == RateLimits.Verdict.ADMITTED_HOLDING) {
            return true;
        }
        endpoint = null;
        locality = null;
        respondLocally(h, HttpResponseStatus.SERVICE_UNAVAILABLE, switch (v) {
            case CONNECTIONS -> "too many requests under way from " + client + " (limit-connections)";
            case FULL -> "too many clients are being rate-limited on this proxy";
            default -> "too many requests from " + client + " (limit-rps, limit-rpm)";
        });
        return false;
    }

    /** Gives back the concurrency slot of {@code limit-connections}, once. */
    private void releaseRate() {
        if (heldRate != null) {
            frontend.rateLimits().release(heldRate, heldClient);
            heldRate = null;
        }
    }

    /** The request's Content-Length, or -1 when it has none (or one the codec let through unparsed). */
    private static long declaredLength(HttpRequest head) {
        try {
            return HttpUtil.getContentLength(head, -1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The request body is over the route's limit: 413 and the connection closes after it (nginx's answer; the rest of
     * the body is read and dropped meanwhile, for at most {@value #LINGER_SECONDS} s), the backend connection, if
     * any, is closed (it got part of a body that will not end); a response under way can only be cut.
     */
    private void refuseTooLarge(HttpObject part) {
        clientKeepAlive = false;
        if (phase.responseStarted()) {
            ReferenceCountUtil.release(part);
            owner.closeConnection();
            return;
        }
        ReferenceCountUtil.release(pendingHead);
        pendingHead = null;
        dropBackend();
        lingerClose = client.eventLoop().schedule(() -> {
            lingerClose = null;
            if (owner.isCurrent(this)) {
                complete();
            }
        }, LINGER_SECONDS, TimeUnit.SECONDS);
        respondLocally(part, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than "
                + limits.maxBodyBytes() + " bytes, the route's limit (proxy-body-size)");
    }

    private void attach(Channel channel, boolean reused) {
        phase = Phase.FORWARDING;
        backend = channel;
        bodyRefused = false;
        responseRead = false;
        reusedConnection = reused;
        channel.pipeline().get(BackendHandler.class).attach(this);
        HttpRequest head = pendingHead;
        pendingHead = null;
        sentHead = head;
        // The request ended before this head was written: a replay, or a body-less request kept as a head.
        boolean endsRequest = request != Request.RECEIVING && !(head instanceof LastHttpContent);
        if (endsRequest) {
            // Head and end as one message: one write, one promise, one encoding (the headers are shared, not copied).
            write(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER,
                    head.headers(), EmptyHttpHeaders.INSTANCE), true);
        } else {
            write(head, head instanceof LastHttpContent);
        }
        if (access != null) {
            access.upstreamStarted();
        }
        // Read from the start: a backend may answer before the request body is complete.
        channel.read();
    }

    void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (dropEmptyEnd) {
            dropEmptyEnd = false;
            if (last && !content.content().isReadable() && ((LastHttpContent) content).trailingHeaders().isEmpty()) {
                content.release();
                return;
            }
        }
        if (last && request == Request.RECEIVING) {
            request = Request.RECEIVED;
        }
        if (phase.local()) {
            content.release();
            finishLocalIfDone();
            return;
        }
        bodyBytes += content.content().readableBytes();
        if (limits.tooLarge(bodyBytes)) {
            refuseTooLarge(content);
            return;
        }
        if (bodyRefused) {
            content.release();
            return;
        }
        bodySent |= content.content().isReadable();
        if (access != null) {
            access.bytesIn += content.content().readableBytes();
        }
        write(content, last);
    }

    private void write(HttpObject msg, boolean last) {
        writeInFlight = true;
        Channel target = backend;
        target.writeAndFlush(msg).addListener(f -> {
            writeInFlight = false;
            if (!f.isSuccess()) {
                if (Http2Upstream.endedByBackend(target)) {
                    // What the backend sent before its stream ended is still to be read; the stream channel closes
                    // after it, and its close tells whether the response was whole (onBackendClosed).
                    bodyRefused = true;
                } else {
                    target.close();
                }
            } else if (last && owner.isCurrent(this) && backend == target) {
                request = Request.SENT;
                scheduleResponseTimeout();
            }
            if (owner.isCurrent(this)) {
                owner.drain();
            }
        });
    }

    private void scheduleResponseTimeout() {
        if (!phase.responseStarted()) {
            owner.responseTimer().arm(limits.readTimeout().toNanos());
        }
    }

    private void cancelResponseTimeout() {
        owner.responseTimer().disarm();
    }

    /** The backend did not start its response within the timeout of the request's last part being sent: 504. */
    void onResponseTimeout() {
        if (!owner.isCurrent(this) || phase.responseStarted()) {
            return;
        }
        if (!grpc && passOn(0)) {
            metrics.upstreamError(route, "response_timeout");
            return;
        }
        dropBackend();
        BackendFailures.Reply timedOut = BackendFailures.responseTimedOut(target(), limits.readTimeout().toMillis());
        if (grpc) {
            metrics.upstreamError(route, timedOut.errorKind());
            respondLocally(null, Responses.grpc(Grpc.DEADLINE_EXCEEDED, timedOut.reason(), table.version(),
                    clientKeepAlive));
        } else {
            reply(null, timedOut);
        }
    }

    private static final String GRPC_TIMEOUT = "grpc-timeout";

    /** The call's own deadline (grpc-timeout), counted from when the proxy received the request. */
    private void startGrpcDeadline(String timeout) {
        long nanos = Grpc.timeoutNanos(timeout);
        if (nanos != Grpc.NO_TIMEOUT) {
            grpcDeadline = client.eventLoop().schedule(this::onGrpcDeadline,
                    nanos - (System.nanoTime() - startNanos), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The call's grpc-timeout ran out before the backend finished: DEADLINE_EXCEEDED, as a trailers-only answer or,
     * when the response is under way, in its trailers; the backend's stream is reset (it sees the cancellation).
     */
    private void onGrpcDeadline() {
        grpcDeadline = null;
        if (!owner.isCurrent(this) || phase == Phase.RESPONDED || phase.local()) {
            return;
        }
        String reason = "deadline exceeded: backend " + target().backendId() + " at " + target().address()
                + " did not finish within the call's grpc-timeout (Signalbox)";
        metrics.upstreamError(route, "grpc_deadline");
        dropBackend();
        cancelResponseTimeout();
        if (!phase.responseStarted()) {
            HttpRequest head = pendingHead;
            pendingHead = null;
            respondLocally(head, Responses.grpc(Grpc.DEADLINE_EXCEEDED, reason, table.version(), clientKeepAlive));
            return;
        }
        phase = Phase.RESPONDED;
        client.writeAndFlush(Responses.grpcTrailers(Grpc.DEADLINE_EXCEEDED, reason)).addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
            } else if (owner.isCurrent(this)) {
                complete();
            }
        });
    }

    @Override
    public void onResponse(HttpObject msg) {
        if (!owner.isCurrent(this) || phase.local()) {
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
            if (Upgrade.answer(response, upgrade) == Upgrade.Answer.UNEXPECTED) {
                dropBackend();
                reply(null, BackendFailures.unexpectedSwitch(target(), response.headers().get("upgrade")));
                return;
            }
            if (code >= 100 && code < 200 && code != 101) {
                phase = Phase.INTERIM;
            } else if (passOn(code)) {
                ReferenceCountUtil.release(msg);
                return;
            } else if (errorPages != null && toErrorPage(response)) {
                return;
            } else {
                phase = Phase.RESPONDING;
                cancelResponseTimeout();
                status = code;
                backendKeepAlive = HeaderRewriter.keepAlive(response);
                TrafficRequest.setCookie(response.headers(), sticky, frontend.overTls(), stickyAgent);
                if (measured) {
                    long now = System.nanoTime();
                    frontend.latency().record(endpoint, now - measuredFrom, now);
                }
            }
            clientKeepAlive = HeaderRewriter.forClient(response, clientVersion, method,
                    clientKeepAlive && !owner.draining(), table.version());
            if (code == 101) {
                Upgrade.confirm(response, upgrade);
            }
            addAnswerFields(response.headers(), code);
        }
        if (access != null && msg instanceof HttpContent c) {
            access.bytesOut += c.content().readableBytes();
        }
        boolean last = msg instanceof LastHttpContent;
        boolean endOfResponse = last && phase == Phase.RESPONDING;
        responseRead |= endOfResponse;
        if (last && phase == Phase.INTERIM) {
            phase = Phase.FORWARDING;
        }
        if (endOfResponse && status == 101) {
            // The backend switched to the protocol asked for: the head is passed on, then both connections
            // become one byte tunnel (never pooled).
            client.writeAndFlush(msg).addListener(f -> {
                if (!f.isSuccess()) {
                    client.close();
                }
            });
            switchToTunnel();
            return;
        }
        Channel source = backend;
        if (!last && msg instanceof HttpResponse head) {
            // A head is bounded (the backend codec's header size limit), so the backend is read on without waiting
            // for its write, which needs no promise: a failed write reaches exceptionCaught, which closes. The final
            // head (not a 101: the tunnel follows it) waits for the next part of the same read.
            if (phase == Phase.RESPONDING && status != 101) {
                heldHead = head;
            } else {
                writeHead(head);
            }
            source.read();
            return;
        }
        if (heldHead != null) {
            msg = withHeldHead(msg);
        }
        // The parts of one backend read go out in one flush (one write to the socket, not one per part): the
        // last part flushes, earlier ones wait for the end of the read (onResponseReadComplete).
        unflushed = !last;
        ChannelFuture written = last ? client.writeAndFlush(msg) : client.write(msg);
        written.addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
            } else if (endOfResponse) {
                onResponseWritten();
            } else if (source != null && backend == source) {
                source.read();
            }
        });
    }

    private void switchToTunnel() {
        // A client handled at the frame level never gets here: its requests cannot ask for an upgrade.
        ChannelHandlerContext ctx = client.handlerContext();
        Channel b = backend;
        backend = null;
        if (heldRate != null) {
            // nginx's limit_conn counts an upgraded connection until it closes.
            ctx.channel().closeFuture().addListener(f -> releaseRate());
        }
        phase = Phase.RESPONDED;
        metrics.response(route, locality == null ? ProxyMetrics.NO_LOCALITY : locality.label(), status,
                System.nanoTime() - startNanos);
        Tunnel.open(ctx, b, Tunnel.Timeouts.of(limits), access);
        if (access != null) {
            access.logWhenClosed(ctx.channel(), status, endpoint, route, table, metrics.accessLog());
        }
    }

    /**
     * The response part after a held head: when it is the end, both go as one message (the encoder writes the head and
     * a small body into one buffer: one message through the pipeline and one buffer to send instead of two, the usual
     * response of a few hundred bytes); otherwise the head is written first.
     */
    private HttpObject withHeldHead(HttpObject part) {
        HttpResponse head = heldHead;
        heldHead = null;
        if (part instanceof LastHttpContent end) {
            return new DefaultFullHttpResponse(head.protocolVersion(), head.status(), end.content(), head.headers(),
                    end.trailingHeaders());
        }
        writeHead(head);
        return part;
    }

    /** A response head to the client, without a promise (see {@link #onResponse}), flushed at the end of the read. */
    private void writeHead(HttpResponse head) {
        client.writeHead(head);
        unflushed = true;
    }

    @Override
    public void onResponseReadComplete() {
        if (heldHead != null && owner.isCurrent(this)) {
            // The read ended after the head: it goes now, alone.
            writeHead(heldHead);
            heldHead = null;
        }
        if (unflushed && owner.isCurrent(this)) {
            unflushed = false;
            client.flush();
        }
    }

    private void onResponseWritten() {
        if (!owner.isCurrent(this)) {
            return;
        }
        phase = Phase.RESPONDED;
        if (access != null) {
            access.upstreamEnded();
        }
        if (request == Request.SENT && backendKeepAlive && backend != null && backend.isActive()) {
            frontend.connector().release(client.eventLoop(), endpoint, upstream, backend);
            backend = null;
        } else {
            dropBackend();
        }
        if (request == Request.RECEIVING && !client.http2()) {
            // The backend answered before the client sent the whole body (an upload the application refuses with
            // 401 or 413): closing now would meet the client's next bytes with a TCP reset, which can destroy the
            // answer still unread in its socket (RFC 9112 9.6). The rest is read and dropped, as nginx discards it,
            // and the connection then serves its next request. (An HTTP/2 stream is ended by closing it: the reset
            // is the stream's, and the answer before it stands.)
            phase = Phase.ANSWERED_EARLY;
            finishLocalIfDone();
            return;
        }
        complete();
    }

    @Override
    public void onBackendClosed(Throwable cause) {
        if (!owner.isCurrent(this) || phase == Phase.RESPONDED || phase.local() || responseRead) {
            return;
        }
        Channel closed = backend;
        backend = null;
        cancelResponseTimeout();
        UpstreamTlsContexts.Failure tls = upstream.tls() == null ? null : UpstreamTlsContexts.failure(cause);
        if (tls == null && upstream.tls() != null && !reusedConnection) {
            tls = UpstreamTlsHandlers.closedBeforeResponse(closed);
        }
        BackendFailures.Progress progress = new BackendFailures.Progress(method.name(), reusedConnection, replayed,
                bodySent || sentHead instanceof HttpContent, phase.responseStarted());
        BackendFailures.Outcome outcome = BackendFailures.closed(target(), progress, tls,
                cause == null ? null : cause.getMessage(), limits.nextUpstream());
        if (outcome instanceof BackendFailures.Replay) {
            // A kept-alive connection the backend closed as we reused it (RFC 9112 9.3.1): once more, anew.
            replayed = true;
            if (request == Request.SENT) {
                request = Request.RECEIVED;
            }
            pendingHead = sentHead;
            connectNew();
        } else if (outcome instanceof BackendFailures.CloseClient c) {
            metrics.upstreamError(route, c.errorKind());
            owner.closeConnection();
        } else {
            reply(null, (BackendFailures.Reply) outcome);
        }
    }

    /** Answers the client as {@code reply} says, counting its error kind; the rest of the request body is dropped. */
    private void reply(HttpObject requestPart, BackendFailures.Reply reply) {
        if (reply.errorKind() != null) {
            metrics.upstreamError(route, reply.errorKind());
        }
        respondLocally(requestPart, HttpResponseStatus.valueOf(reply.status()), reply.reason());
    }

    /** Answers the client with {@code status} and {@code reason}; the rest of the request body is dropped. */
    void respondLocally(HttpObject requestPart, HttpResponseStatus st, String reason) {
        respondLocally(requestPart, grpc
                ? Responses.grpc(Grpc.statusOf(st.code()), reason, table.version(), clientKeepAlive)
                : Responses.plain(client.alloc(), st, reason, table.version(), clientKeepAlive));
    }

    /**
     * The fields every answer of this exchange carries, the backend's or the proxy's own: its request id, the route's
     * (not on an interim 1xx; the proxy's own answers are never one) and the auth service's cookies.
     */
    private void addAnswerFields(HttpHeaders headers, int code) {
        headers.set(RequestId.HEADER, requestId);
        if (routeHeaders != null && code >= 200) {
            routeHeaders.apply(headers);
        }
        if (authCookies != null) {
            ExternalAuthAnswer.addCookies(headers, code, authCookies);
        }
    }

    /** Answers the client with {@code response}; the rest of the request body is dropped. */
    void respondLocally(HttpObject requestPart, FullHttpResponse response) {
        if (requestPart != null) {
            if (requestPart instanceof LastHttpContent && request == Request.RECEIVING) {
                request = Request.RECEIVED;
            }
            ReferenceCountUtil.release(requestPart);
        }
        phase = Phase.ANSWERING_LOCALLY;
        status = response.status().code();
        addAnswerFields(response.headers(), status);
        if (access != null) {
            access.bytesOut += response.content().readableBytes();
        }
        cancelResponseTimeout();
        client.writeAndFlush(response)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        client.close();
                        return;
                    }
                    phase = Phase.ANSWERED_LOCALLY;
                    finishLocalIfDone();
                });
    }

    private void finishLocalIfDone() {
        if (!owner.isCurrent(this) || (phase != Phase.ANSWERED_LOCALLY && phase != Phase.ANSWERED_EARLY)) {
            return;
        }
        if (request != Request.RECEIVING || (!clientKeepAlive && lingerClose == null)) {
            complete();
        } else {
            owner.drain();
        }
    }

    private void complete() {
        stopGrpcDeadline();
        stopLingering();
        releaseRate();
        metrics.response(route, locality == null ? ProxyMetrics.NO_LOCALITY : locality.label(), status,
                System.nanoTime() - startNanos);
        if (access != null) {
            metrics.accessLog().offer(access.finish(status, endpoint, route, table.version()), table);
        }
        owner.finished(this, clientKeepAlive && request != Request.RECEIVING);
    }

    private void dropBackend() {
        Channel b = backend;
        backend = null;
        if (b != null) {
            BackendHandler.detachFrom(b);
            b.close();
        }
    }

    private void stopGrpcDeadline() {
        if (grpcDeadline != null) {
            grpcDeadline.cancel(false);
            grpcDeadline = null;
        }
    }

    private void stopLingering() {
        if (lingerClose != null) {
            lingerClose.cancel(false);
            lingerClose = null;
        }
    }

    void abort() {
        stopGrpcDeadline();
        stopLingering();
        releaseRate();
        cancelResponseTimeout();
        ReferenceCountUtil.release(pendingHead);
        pendingHead = null;
        dropBackend();
    }

    private BackendFailures.Target target() {
        return new BackendFailures.Target(backendId, NetUtil.toSocketAddressString(endpoint.address(), endpoint.port()));
    }
}
