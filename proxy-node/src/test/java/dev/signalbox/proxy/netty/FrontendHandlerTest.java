package dev.signalbox.proxy.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.routing.OutlierDetector;
import dev.signalbox.proxy.routing.RoutingState;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrontendHandler} and its {@link Exchange} on {@link EmbeddedChannel}s: a client channel with the
 * handler alone (HTTP objects in and out, no codec) and backend channels ending in a {@link BackendHandler},
 * handed out by a fake {@link Backends}. Pipelined requests, the keep-alive replay and the drain, step by step.
 */
class FrontendHandlerTest {
    private static final Backend WEB = new Backend("c/ns/web:80", "c", "ns", "web", "80",
            List.of(new Endpoint("10.0.0.1", 80)), null);
    private static final RoutingTable TABLE = new RoutingTable(
            List.of(new VirtualHost("a.test", List.of(new Route("/", PathMatch.PREFIX, WEB.id(), "c/ns/ing")))), null,
            List.of(WEB), List.of(), List.of());

    private final FakeBackends backends = new FakeBackends();
    private final List<Object> leftovers = new ArrayList<>();
    private EmbeddedChannel client;

    /** Hands out pooled connections first (most recent last in), then new ones; records what it was asked. */
    private static final class FakeBackends implements Backends {
        final Deque<EmbeddedChannel> pool = new ArrayDeque<>();
        final List<EmbeddedChannel> opened = new ArrayList<>();
        final List<EmbeddedChannel> released = new ArrayList<>();

        @Override
        public Channel pooled(EventLoop loop, Endpoint endpoint, Upstream upstream) {
            return pool.pollLast();
        }

        @Override
        public Future<Channel> connect(EventLoop loop, Endpoint endpoint, Upstream upstream, Duration timeout) {
            EmbeddedChannel ch = backendChannel();
            opened.add(ch);
            return ch.eventLoop().newSucceededFuture(ch);
        }

        @Override
        public void release(EventLoop loop, Endpoint endpoint, Upstream upstream, Channel channel) {
            channel.pipeline().get(BackendHandler.class).detach();
            released.add((EmbeddedChannel) channel);
        }
    }

    private static EmbeddedChannel backendChannel() {
        return new EmbeddedChannel(new BackendHandler());
    }

    private EmbeddedChannel client() {
        return client(false);
    }

    /** A client connection; {@code timeouts}: with the client timeouts in front, as the HTTP/1.1 pipeline has it. */
    private EmbeddedChannel client(boolean timeouts) {
        RoutingState routing = new RoutingState(dev.signalbox.routing.Locality.DEFAULT);
        routing.apply(SnapshotCodec.create(1, Instant.EPOCH, List.of(), TABLE));
        Frontend frontend = new Frontend(routing, backends, new ProxyMetrics(() -> 1, () -> 0), Duration.ofSeconds(5),
                false, 443, new OutlierDetector(OutlierDetector.Policy.DEFAULT), TrustedProxies.NONE,
                dev.signalbox.proxy.http.ClientPolicy.DEFAULT, new dev.signalbox.proxy.routing.RateLimits(),
                new dev.signalbox.proxy.routing.LatencyEwma(), new AccessGate(dev.signalbox.schemas.crypto.KeyRing.empty(),
                        backends, Duration.ofSeconds(5)));
        client = timeouts ? new EmbeddedChannel(ClientTimeouts.http1(frontend.clients(), frontend.metrics()),
                new FrontendHandler(frontend))
                : new EmbeddedChannel(new FrontendHandler(frontend));
        return client;
    }

    @AfterEach
    void releaseEverything() {
        leftovers.forEach(ReferenceCountUtil::release);
        if (client != null) {
            client.finishAndReleaseAll();
        }
        backends.opened.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private static HttpRequest get(String path) {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        r.headers().set(HttpHeaderNames.HOST, "a.test");
        return r;
    }

    private static FullHttpResponse ok(String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return r;
    }

    /** What a backend channel received: each request's line, then END for its end. */
    private List<String> received(EmbeddedChannel backend) {
        List<String> out = new ArrayList<>();
        for (Object o; (o = backend.readOutbound()) != null; ) {
            if (o instanceof HttpRequest r) {
                out.add(r.method() + " " + r.uri());
            }
            if (o instanceof LastHttpContent) {
                out.add("END");
            }
            leftovers.add(o);
        }
        return out;
    }

    /** Sends GET {@code path} on {@code c}; returns the new backend connection it went to, which got it all. */
    private EmbeddedChannel forwarded(EmbeddedChannel c, String path) {
        int before = backends.opened.size();
        c.writeInbound(get(path));
        assertEquals(before + 1, backends.opened.size(), "a new backend connection");
        EmbeddedChannel backend = backends.opened.get(before);
        assertEquals(List.of("GET " + path, "END"), received(backend));
        return backend;
    }

    /** What the client received: each response's status and body, and whether it keeps the connection. */
    private List<String> answers() {
        List<String> out = new ArrayList<>();
        for (Object o; (o = client.readOutbound()) != null; ) {
            if (o instanceof FullHttpResponse r) {
                out.add(r.status().code() + " " + r.content().toString(StandardCharsets.UTF_8).trim()
                        + (HttpUtil.isKeepAlive(r) ? "" : " (close)"));
            }
            leftovers.add(o);
        }
        return out;
    }

    @Test
    void pipelinedRequestsAreForwardedOneAtATimeInOrderOnTheSameConnection() {
        EmbeddedChannel c = client();
        c.writeInbound(get("/one"), get("/two"));
        assertEquals(1, backends.opened.size());
        EmbeddedChannel backend = backends.opened.get(0);
        assertEquals(List.of("GET /one", "END"), received(backend), "the second waits for the first's response");

        backend.writeInbound(ok("first"));
        assertEquals(List.of("200 first"), answers());
        // The first exchange gave its connection back; the second took a new one (the fake's pool is empty).
        assertEquals(List.of(backend), backends.released);
        EmbeddedChannel second = backends.opened.get(1);
        assertEquals(List.of("GET /two", "END"), received(second));
        second.writeInbound(ok("second"));
        assertEquals(List.of("200 second"), answers());
        assertTrue(c.isActive(), "a keep-alive connection stays open");
    }

    @Test
    void aGetOnAPooledConnectionTheBackendClosedIsReplayedOnceOnANewOne() {
        EmbeddedChannel stale = backendChannel();
        backends.pool.add(stale);
        EmbeddedChannel c = client();
        c.writeInbound(get("/again"));
        assertEquals(List.of("GET /again", "END"), received(stale));
        assertEquals(List.of(), backends.opened);

        stale.close();
        assertEquals(1, backends.opened.size(), "replayed on a new connection");
        EmbeddedChannel fresh = backends.opened.get(0);
        assertEquals(List.of("GET /again", "END"), received(fresh));
        fresh.writeInbound(ok("replayed"));
        assertEquals(List.of("200 replayed"), answers());
    }

    @Test
    void aReplayThatAlsoMeetsAClosedConnectionIs502() {
        EmbeddedChannel stale = backendChannel();
        backends.pool.add(stale);
        client().writeInbound(get("/again"));
        stale.close();
        EmbeddedChannel fresh = backends.opened.get(0);
        received(stale);
        received(fresh);
        fresh.close();
        assertEquals(List.of("502 backend c/ns/web:80 at 10.0.0.1:80 closed the connection before responding"),
                answers());
        assertEquals(1, backends.opened.size(), "one replay only");
    }

    @Test
    void aPostOnAPooledConnectionTheBackendClosedIsNotReplayed() {
        EmbeddedChannel stale = backendChannel();
        backends.pool.add(stale);
        DefaultFullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/form");
        post.headers().set(HttpHeaderNames.HOST, "a.test");
        client().writeInbound(post);
        received(stale);
        stale.close();
        assertEquals(List.of("502 backend c/ns/web:80 at 10.0.0.1:80 closed the connection before responding"),
                answers());
        assertEquals(List.of(), backends.opened);
    }

    @Test
    void aDrainAnswersTheRequestUnderWayWithConnectionCloseThenCloses() {
        EmbeddedChannel c = client();
        EmbeddedChannel backend = forwarded(c, "/slow");
        c.pipeline().fireUserEventTriggered(ClientConnections.DRAIN);
        assertTrue(c.isActive(), "the request under way is answered first");
        backend.writeInbound(ok("done"));
        assertEquals(List.of("200 done (close)"), answers());
        assertFalse(c.isActive(), "closed after the response");
    }

    @Test
    void aDrainBeforeTheProxyAnswersItselfMakesThatAnswerCloseTheConnection() {
        EmbeddedChannel c = client();
        EmbeddedChannel backend = forwarded(c, "/fails");
        c.pipeline().fireUserEventTriggered(ClientConnections.DRAIN);
        backend.close();
        // A GET is replayed once on a new connection; that one fails too.
        EmbeddedChannel replay = backends.opened.get(backends.opened.size() - 1);
        assertTrue(replay != backend, "replayed on a new connection");
        received(replay);
        replay.close();
        assertEquals(List.of("502 backend c/ns/web:80 at 10.0.0.1:80 closed the connection before responding (close)"),
                answers());
        assertFalse(c.isActive());
    }

    @Test
    void aDrainClosesAnIdleConnectionAfterTheGraceUnlessARequestArrivesInIt() {
        EmbeddedChannel c = client();
        c.pipeline().fireUserEventTriggered(ClientConnections.DRAIN);
        EmbeddedChannel backend = forwarded(c, "/late");
        backend.writeInbound(ok("late"));
        assertEquals(List.of("200 late (close)"), answers(), "a request in the grace is answered with Connection: close");
        assertFalse(c.isActive());

        EmbeddedChannel idle = client();
        idle.pipeline().fireUserEventTriggered(ClientConnections.DRAIN);
        assertTrue(idle.isActive(), "not at once: a request may be on its way");
        idle.advanceTimeBy(ClientConnections.IDLE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        idle.runScheduledPendingTasks();
        assertFalse(idle.isActive(), "closed after the grace");
    }

    @Test
    void aRequestWithoutARouteIsAnswered404AndTheNextPipelinedOneStillForwarded() {
        DefaultFullHttpRequest unknown = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        unknown.headers().set(HttpHeaderNames.HOST, "nowhere.test");
        EmbeddedChannel c = client();
        c.writeInbound(unknown, get("/known"));
        List<String> answered = answers();
        assertEquals(1, answered.size(), String.valueOf(answered));
        assertTrue(answered.get(0).startsWith("404 "), answered.get(0));
        EmbeddedChannel backend = backends.opened.get(0);
        assertEquals(List.of("GET /known", "END"), received(backend), "the next request is forwarded");
        backend.writeInbound(ok("known"));
        assertEquals(List.of("200 known"), answers());
    }

    @Test
    void anIdleConnectionWaitingForAResponseHeadIsLeftToTheReadTimeoutThenToTheKeepAliveTimeout() {
        EmbeddedChannel c = client(true);
        EmbeddedChannel backend = forwarded(c, "/long-poll");
        elapse(c, ClientTimeouts.IDLE.plusSeconds(1));
        assertTrue(c.isActive(), "the response timer (the route's read timeout) bounds a wait for a response head");
        backend.writeInbound(ok("done"));
        assertEquals(List.of("200 done"), answers());
        elapse(c, ClientPolicy.DEFAULT_KEEPALIVE_TIMEOUT.minusSeconds(1));
        assertTrue(c.isActive(), "kept alive between requests for the keep-alive timeout, longer than the idle time");
        elapse(c, Duration.ofSeconds(1));
        assertFalse(c.isActive(), "idle between requests for the keep-alive timeout: closed");
    }

    @Test
    void aRequestBodyThatStopsComingIsClosedAfterTheIdleTime() {
        EmbeddedChannel c = client(true);
        DefaultHttpRequest upload = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        upload.headers().set(HttpHeaderNames.HOST, "a.test").set(HttpHeaderNames.CONTENT_LENGTH, 10);
        c.writeInbound(upload);
        assertEquals(List.of("POST /upload"), received(backends.opened.get(0)));
        elapse(c, ClientTimeouts.IDLE.minusSeconds(1));
        assertTrue(c.isActive(), "within the idle time");
        elapse(c, Duration.ofSeconds(1));
        assertFalse(c.isActive(), "no byte either way for the idle time while no response is awaited: closed");
    }

    @Test
    void aResponseHeadTheClientCannotTakeClosesTheClientAndBackendConnections() {
        EmbeddedChannel c = client();
        // Fails every write as a reset socket would; the head is written without a promise, so exceptionCaught closes.
        c.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("Connection reset by peer"));
            }
        });
        EmbeddedChannel backend = forwarded(c, "/reset");
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
        backend.writeInbound(head);
        assertFalse(c.isActive(), "the client connection closed");
        assertFalse(backend.isActive(), "the backend connection, whose response was cut, closed too");
    }

    /** Moves {@code c}'s clock on by {@code d} and runs what became due. */
    private static void elapse(EmbeddedChannel c, Duration d) {
        c.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        c.runScheduledPendingTasks();
    }
}
