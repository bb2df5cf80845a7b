package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.RawBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's limits and timeouts through a real node (issue 18), the routes' limits as the compiler writes them
 * into a snapshot: 413 for a declared and for a chunked body over {@code proxy-body-size} (and the node's 1m default,
 * and {@code 0}), 504 from a route's {@code proxy-read-timeout} shorter than the node's, and
 * {@code proxy-next-upstream} sending a GET on to the second endpoint after a 502 or 503, but not under {@code off},
 * and never a POST.
 */
class ProxyNodeLimitsIT {
    static {
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static EchoBackend echo;
    private static RawBackend failing;
    private static RawBackend good;
    private static RawBackend slow;
    private static ProxyNode node;

    private static Backend backend(String name, int... ports) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int p : ports) {
            endpoints.add(new Endpoint("127.0.0.1", p));
        }
        return new Backend(Backend.idOf("c", "default", name, "80"), "c", "default", name, "80", endpoints, null);
    }

    private static VirtualHost host(String name, Backend to, ProxyLimits limits) {
        return new VirtualHost(name, List.of(new Route("/", PathMatch.PREFIX, to.id(), "c/default/" + name, false,
                limits == null ? null : new RouteOptions(null, null, null, null, limits, null, null, null, null))));
    }

    private static ProxyLimits body(long bytes) {
        return new ProxyLimits(bytes, null, null, null, null, null, null);
    }

    private static ProxyLimits rate(ProxyLimits.RateLimit r) {
        return new ProxyLimits(null, null, null, null, null, null, null, r);
    }

    private static ProxyLimits next(String... when) {
        return new ProxyLimits(null, null, null, null, List.of(when), null, null);
    }

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-limits-it", 4096);
        echo = EchoBackend.start("echo");
        failing = RawBackend.start(r -> r.request().startLine().contains("/503")
                ? answer("503 Service Unavailable", "unavailable") : answer("502 Bad Gateway", "bad"));
        good = RawBackend.start(r -> RawBackend.ok("good"));
        slow = RawBackend.start(r -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RawBackend.ok("late");
        });
        Backend e = backend("echo", echo.port());
        // The failing endpoint first: round robin gives it the first request of every pair.
        Backend pair = backend("pair", failing.port(), good.port());
        Backend late = backend("slow", slow.port());
        publisher.publish(SnapshotCodec.create(1, Instant.now(), List.of(), new RoutingTable(List.of(
                host("echo.test", e, null),
                host("small.test", e, body(1000)),
                host("big.test", e, body(0)),
                host("slow.test", late, new ProxyLimits(null, null, 1, null, null, null, null)),
                host("retry.test", pair, next("error", "http_502", "http_503", "timeout")),
                host("off.test", pair, next()),
                host("rate.test", e, rate(new ProxyLimits.RateLimit("c/default/rate", 0, 1, 0, 1))),
                host("conn.test", late, rate(new ProxyLimits.RateLimit("c/default/conn", 0, 0, 1, 5))),
                host("exempt.test", e, rate(new ProxyLimits.RateLimit("c/default/exempt", 0, 1, 0, 1,
                        List.of("127.0.0.0/8"))))),
                null, List.of(e, pair, late), List.of(), List.of())));
        // The node's own read timeout is 30 s; its body limit is ClientPolicy's default, ingress-nginx's 1m.
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "limits", "127.0.0.1", 0, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(30)));
        Await.until("the node to apply version 1", WAIT, () -> node.appliedVersion() >= 1);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, echo, failing, good, slow, kafka);
    }

    private static byte[] answer(String status, String body) {
        return ("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", node.httpPort());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** One request on a connection of its own: the head, then {@code body} bytes of zeros (none: head only). */
    private static RawHttp.Message send(String method, String host, String path, long declared, long body)
            throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(ascii(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + declared
                    + "\r\n\r\n"));
            byte[] block = new byte[65536];
            for (long left = body; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(left, block.length));
            }
            out.flush();
            return RawHttp.readResponse(s.getInputStream(), false);
        }
    }

    private static String get(String host, String path) throws IOException {
        RawHttp.Message m = send("GET", host, path, 0, 0);
        return m.status() + " " + m.bodyText().trim();
    }

    @Test
    void aDeclaredBodyOverTheRoutesLimitIs413BeforeAnyOfItIsSentAndTheConnectionCloses() throws IOException {
        long before = echo.requests();
        // Only the head goes out: the answer cannot wait for a body the client has not sent.
        RawHttp.Message m = send("POST", "small.test", "/upload", 2000, 0);
        assertEquals(413, m.status(), m.bodyText());
        assertTrue(m.bodyText().contains("larger than 1000 bytes"), m.bodyText());
        assertTrue(m.closesConnection(), "Connection: close after a 413, as nginx");
        assertEquals(before, echo.requests(), "the backend was not asked");
        assertEquals(200, send("POST", "small.test", "/upload", 1000, 1000).status(), "a body at the limit passes");
    }

    @Test
    void aChunkedBodyThatGrowsPastTheLimitIs413AndTheConnectionClosedAfterIt() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(ascii("POST /upload HTTP/1.1\r\nHost: small.test\r\nTransfer-Encoding: chunked\r\n\r\n"));
            for (int i = 0; i < 5; i++) {
                out.write(ascii("190\r\n" + "x".repeat(400) + "\r\n"));
            }
            out.write(ascii("0\r\n\r\n"));
            out.flush();
            InputStream in = s.getInputStream();
            RawHttp.Message m = RawHttp.readResponse(in, false);
            assertEquals(413, m.status(), m.bodyText());
            assertTrue(m.closesConnection());
            assertEquals(-1, in.read(), "the proxy closes the connection once the rest of the body was read");
        }
    }

    @Test
    void aRouteWithoutTheAnnotationHasTheNodesOneMebibyteAndZeroIsNoLimit() throws IOException {
        assertEquals(413, send("POST", "echo.test", "/upload", 2L << 20, 0).status());
        RawHttp.Message atLimit = send("POST", "echo.test", "/upload", 1L << 20, 1L << 20);
        assertEquals(200, atLimit.status());
        assertTrue(atLimit.bodyText().contains("body-bytes: 1048576\n"), atLimit.bodyText());
        RawHttp.Message unlimited = send("POST", "big.test", "/upload", 3L << 20, 3L << 20);
        assertEquals(200, unlimited.status());
        assertTrue(unlimited.bodyText().contains("body-bytes: 3145728\n"), unlimited.bodyText());
    }

    @Test
    void aRoutesReadTimeoutShorterThanTheNodesIs504() throws IOException {
        assertEquals("504 backend c/default/slow:80 at 127.0.0.1:" + slow.port() + " did not respond within 1000 ms",
                get("slow.test", "/"));
    }

    @Test
    void proxyNextUpstreamSendsAGetOnAfterA502OrA503AndOffDoesNot() throws IOException {
        int failedBefore = failing.received().size();
        List<String> retried = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            retried.add(get("retry.test", "/x"));
            retried.add(get("retry.test", "/503"));
        }
        assertEquals(List.of("200 good"), retried.stream().distinct().toList());
        assertTrue(failing.received().size() - failedBefore >= 2, "the failing endpoint was tried first at times");

        List<String> off = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            off.add(get("off.test", "/x"));
        }
        assertEquals(List.of("200 good", "502 bad"), off.stream().distinct().sorted().toList());
    }

    @Test
    void aPostIsNotSentOnEvenWhereTheRouteRetries502s() throws IOException {
        int failedBefore = failing.received().size();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(send("POST", "retry.test", "/x", 0, 0).status());
        }
        long posts = failing.received().stream().skip(failedBefore)
                .filter(r -> r.requestLine().startsWith("POST")).count();
        assertEquals(List.of(200, 502), statuses.stream().distinct().sorted().toList());
        assertEquals(posts, statuses.stream().filter(s -> s == 502).count(), "every POST the failing endpoint got was answered 502");
    }

    @Test
    void limitRpmWithItsBurstThen503() throws IOException {
        // One a minute with a burst of one: two at once, the third within the minute is refused.
        assertEquals(List.of(200, 200, 503), List.of(send("GET", "rate.test", "/", 0, 0).status(),
                send("GET", "rate.test", "/", 0, 0).status(), send("GET", "rate.test", "/", 0, 0).status()));
        assertTrue(get("rate.test", "/").contains("limit-rps, limit-rpm"));
    }

    @Test
    void aWhitelistedClientIsNotLimited() throws IOException {
        assertEquals(List.of(200, 200, 200, 200), List.of(send("GET", "exempt.test", "/", 0, 0).status(),
                send("GET", "exempt.test", "/", 0, 0).status(), send("GET", "exempt.test", "/", 0, 0).status(),
                send("GET", "exempt.test", "/", 0, 0).status()));
    }

    @Test
    void limitConnectionsRefusesASecondRequestWhileTheFirstIsUnderWay() throws Exception {
        int before = slow.received().size();
        java.util.concurrent.CompletableFuture<Integer> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return send("GET", "conn.test", "/first", 0, 0).status();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Await.until("the first request to reach the slow backend", WAIT, () -> slow.received().size() > before);
        assertEquals("503 too many requests under way from 127.0.0.1 (limit-connections)", get("conn.test", "/second"));
        assertEquals(200, first.get(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("200 late", get("conn.test", "/third"), "the slot was given back when the first ended");
    }
}
