package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.netty.Transport;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.testing.PrometheusText;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Ports;
import dev.signalbox.testing.RawBackend;
import dev.signalbox.rawhttp.RawHttp;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two proxy nodes against a real broker: snapshots published as the compiler does (chunked, in one
 * transaction), echo backends as endpoints, clients over real sockets. Fails if Netty reports a leak.
 */
class ProxyNodeIT {
    static {
        // The JDK client refuses to set Host unless told; the proxy routes on it.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);
    private static final int BIG_RESPONSE_BYTES = 16 * 1024 * 1024;
    private static final int BIG_REQUEST_BYTES = 20 * 1024 * 1024;

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static long version;
    private static EchoBackend a1;
    private static EchoBackend a2;
    private static EchoBackend b;
    private static HttpServer big;
    private static ServerSocket silent;
    private static final List<Socket> silentClients = new CopyOnWriteArrayList<>();
    private static int deadPort;
    private static ProxyNode node1;
    private static ProxyNode node2;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-it", 700);

        a1 = EchoBackend.start("a1");
        a2 = EchoBackend.start("a2");
        b = EchoBackend.start("b");
        big = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        big.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("X-Backend", "big");
            ex.sendResponseHeaders(200, BIG_RESPONSE_BYTES);
            byte[] block = new byte[65536];
            try (OutputStream out = ex.getResponseBody()) {
                for (int sent = 0; sent < BIG_RESPONSE_BYTES; sent += block.length) {
                    out.write(block);
                }
            }
        });
        big.start();
        silent = new ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    silentClients.add(silent.accept());
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        }, "silent-backend");
        acceptor.setDaemon(true);
        acceptor.start();
        deadPort = Ports.free();

        publish(baseTable(List.of(a1, a2)));
        node1 = startNode("n1");
        // The second node on epoll, named: auto takes io_uring wherever the kernel allows it, so without this the
        // tests that use both nodes would run epoll nowhere such a kernel runs them.
        node2 = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "n2", "127.0.0.1", 0, 0, Duration.ofSeconds(1),
                RESPONSE_TIMEOUT).withTransport(Transport.Preference.EPOLL));
        awaitVersion(version, node1, node2);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            for (AutoCloseable c : new AutoCloseable[] {node1, node2, publisher, a1, a2, b, kafka}) {
                if (c != null) {
                    c.close();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            big.stop(0);
            silent.close();
            for (Socket s : silentClients) {
                s.close();
            }
        }
        assertEquals(List.of(), NettyLeaks.reported(), "Netty reported buffer leaks");
    }

    private static ProxyNode startNode(String id) {
        return startNode(id, Locality.DEFAULT);
    }

    private static Backend backend(String name, List<Endpoint> endpoints, String reason) {
        return new Backend(Backend.idOf("c", "default", name, "80"), "c", "default", name, "80", endpoints, reason);
    }

    private static List<Endpoint> at(int... ports) {
        List<Endpoint> out = new ArrayList<>();
        for (int port : ports) {
            out.add(new Endpoint("127.0.0.1", port));
        }
        return out;
    }

    private static Route prefix(String path, Backend be) {
        return new Route(path, PathMatch.PREFIX, be.id(), "c/default/it");
    }

    private static RoutingTable baseTable(List<EchoBackend> rootEndpoints) {
        Backend a = backend("a", at(rootEndpoints.stream().mapToInt(EchoBackend::port).toArray()), null);
        Backend bb = backend("b", at(b.port()), null);
        Backend down = backend("down", List.of(), "service default/down has no ready endpoints");
        Backend dead = backend("dead", at(deadPort), null);
        Backend slow = backend("slow", at(silent.getLocalPort()), null);
        Backend large = backend("big", at(big.getAddress().getPort()), null);
        return new RoutingTable(List.of(
                new VirtualHost("a.test", List.of(new Route("/b", PathMatch.EXACT, bb.id(), "c/default/it"),
                        // proxy-body-size: "0", for the 20 MiB upload (the node's default is ingress-nginx's 1m).
                        new Route("/", PathMatch.PREFIX, a.id(), "c/default/it", false, new RouteOptions(null, null,
                                null, null, new ProxyLimits(0L, null, null, null, null, null, null), null, null, null, null)))),
                new VirtualHost("big.test", List.of(prefix("/", large))),
                new VirtualHost("dead.test", List.of(prefix("/", dead))),
                new VirtualHost("down.test", List.of(prefix("/", down))),
                new VirtualHost("slow.test", List.of(prefix("/", slow))),
                new VirtualHost("*.wild.test", List.of(prefix("/", bb)))),
                null, List.of(a, bb, down, dead, slow, large), List.of(), List.of());
    }

    /** Publishes the next version as the compiler does: small chunks, one transaction, partition 0. */
    private static synchronized long publish(RoutingTable table) {
        RoutingSnapshot s = SnapshotCodec.create(++version, Instant.now(), List.of(), table);
        int chunks = publisher.publish(s);
        assertTrue(chunks > 1, "the test should exercise multi-chunk snapshots");
        return s.version();
    }

    private static void awaitVersion(long v, ProxyNode... nodes) {
        for (ProxyNode n : nodes) {
            Await.until("node to apply version " + v, WAIT, () -> n.appliedVersion() >= v);
        }
    }

    private static HttpResponse<String> get(ProxyNode node, String host, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .header("Host", host).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(ProxyNode node, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String backendOf(HttpResponse<?> r) {
        return r.headers().firstValue("X-Backend").orElse("none");
    }

    @Test
    void bothNodesConvergeAndRouteByHostAndPath() throws Exception {
        long v = publish(baseTable(List.of(a1, a2)));
        awaitVersion(v, node1, node2);
        for (ProxyNode n : List.of(node1, node2)) {
            HttpResponse<String> exact = get(n, "A.TEST:80", "/b?x=1");
            assertEquals("200 b " + v, exact.statusCode() + " " + backendOf(exact) + " "
                    + exact.headers().firstValue("X-Signalbox-Version").orElse("-"));
            assertTrue(exact.body().contains("uri: /b?x=1\n"), exact.body());
            assertTrue(exact.body().contains("header-x-forwarded-for: 127.0.0.1\n"), exact.body());
            assertTrue(exact.body().contains("header-x-forwarded-proto: http\n"), exact.body());
            assertTrue(exact.body().contains("header-x-forwarded-host: A.TEST:80\n"), exact.body());
            assertEquals("b", backendOf(get(n, "x.wild.test", "/")));
            assertTrue(backendOf(get(n, "a.test", "/other")).startsWith("a"));
        }
        assertEquals(v, node1.appliedVersion());
        assertEquals(v, node2.appliedVersion());
    }

    /**
     * Every transport serves the same answers: the nodes of this class (auto, which is io_uring where the kernel allows
     * it, and epoll) and one on NIO, the fallback where neither native transport loads.
     */
    @Test
    void everyTransportServesTheSameAnswers() throws Exception {
        assertEquals("epoll", node2.transport());
        assertTrue(List.of("io_uring", "epoll").contains(node1.transport()), node1.transport());
        try (ProxyNode nio = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "n-nio", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), RESPONSE_TIMEOUT).withTransport(Transport.Preference.NIO))) {
            assertEquals("nio", nio.transport());
            awaitVersion(version, nio);
            for (ProxyNode n : List.of(node1, node2, nio)) {
                HttpResponse<String> exact = get(n, "a.test", "/b?t=" + n.transport());
                assertEquals("200 b", exact.statusCode() + " " + backendOf(exact), n.transport());
                assertTrue(exact.body().contains("uri: /b?t=" + n.transport() + "\n"), exact.body());
                HttpResponse<String> up = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort()
                                + "/upload")).header("Host", "a.test").timeout(WAIT)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[BIG_REQUEST_BYTES])).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(up.body().contains("body-bytes: " + BIG_REQUEST_BYTES + "\n"), n.transport() + ": " + up.body());
            }
        }
    }

    @Test
    void roundRobinSpreadsRequestsOverTheEndpoints() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < 6; i++) {
            counts.merge(backendOf(get(node1, "a.test", "/rr")), 1L, Long::sum);
        }
        assertEquals(Map.of("a1", 3L, "a2", 3L), counts);
    }

    @Test
    void errorsSayWhy() throws Exception {
        Function<HttpResponse<String>, String> show = r -> r.statusCode() + " "
                + r.headers().firstValue("X-Signalbox-Version").isPresent() + " " + r.body().trim();
        assertTrue(show.apply(get(node1, "nowhere.test", "/x")).startsWith("404 true no route for host \"nowhere.test\""));
        assertEquals("503 true no ready endpoints for backend c/default/down:80: service default/down has no ready "
                + "endpoints", show.apply(get(node1, "down.test", "/")));
        assertTrue(show.apply(get(node1, "dead.test", "/")).startsWith("502 true could not connect to backend "
                + "c/default/dead:80 at 127.0.0.1:" + deadPort));
        assertEquals("504 true backend c/default/slow:80 at 127.0.0.1:" + silent.getLocalPort()
                + " did not respond within " + RESPONSE_TIMEOUT.toMillis() + " ms", show.apply(get(node1, "slow.test", "/")));
        PrometheusText.Exposition metrics = PrometheusText.parse(admin(node1, "/metrics").body());
        assertTrue(metrics.value("signalbox_upstream_errors_total", "route", "slow.test/", "kind", "response_timeout") >= 1,
                metrics.toString());
        assertTrue(metrics.value("signalbox_requests_total", "route", "(none)", "code", "404", "locality", "none") >= 1,
                metrics.toString());
    }

    @Test
    void concurrentRequestsAllGetTheirOwnAnswer() throws Exception {
        List<java.util.concurrent.CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String path = "/c/" + i;
            answers.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node1.httpPort() + path))
                            .header("Host", i % 2 == 0 ? "a.test" : "x.wild.test").timeout(WAIT)
                            .POST(HttpRequest.BodyPublishers.ofString("x".repeat(i))).build(),
                    HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> r.statusCode() + (r.body().contains("uri: " + path + "\n")
                            && r.body().contains("body-bytes: " + path.substring(3) + "\n") ? " echoed" : " wrong")));
        }
        Map<String, Long> outcomes = new TreeMap<>();
        for (var a : answers) {
            outcomes.merge(a.get(), 1L, Long::sum);
        }
        assertEquals(Map.of("200 echoed", 300L), outcomes);
    }

    @Test
    void largeBodiesStreamThroughBothWays() throws Exception {
        HttpResponse<String> up = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node1.httpPort() + "/upload"))
                .header("Host", "a.test").timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[BIG_REQUEST_BYTES])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(up.body().contains("body-bytes: " + BIG_REQUEST_BYTES + "\n"), up.body());

        HttpResponse<InputStream> down = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node2.httpPort() + "/file"))
                .header("Host", "big.test").timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        long received = 0;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                received += n;
            }
        }
        assertEquals(BIG_RESPONSE_BYTES, received);
    }

    @Test
    void keepAliveReusesClientAndBackendConnections() throws Exception {
        ProxyNode n = node2;
        long before = connectionsOpened(n);
        try (Socket s = new Socket("127.0.0.1", n.httpPort())) {
            s.setSoTimeout(10_000);
            for (int i = 0; i < 5; i++) {
                s.getOutputStream().write("GET /b HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                Map<String, String> head = readResponse(s.getInputStream());
                assertEquals("HTTP/1.1 200 OK b", head.get(":status") + " " + head.get("x-backend"));
            }
        }
        long opened = connectionsOpened(n) - before;
        assertTrue(opened <= 1, "5 requests on one client connection opened " + opened + " backend connections");
    }

    @Test
    void aRejectedRequestBodyIsDroppedAndTheConnectionKeptAlive() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node1.httpPort())) {
            s.setSoTimeout(10_000);
            byte[] body = new byte[200_000];
            s.getOutputStream().write(("POST /x HTTP/1.1\r\nHost: nowhere.test\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            assertEquals("HTTP/1.1 404 Not Found", readResponse(s.getInputStream()).get(":status"));
            s.getOutputStream().write("GET /b HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Map<String, String> second = readResponse(s.getInputStream());
            assertEquals("HTTP/1.1 200 OK b", second.get(":status") + " " + second.get("x-backend"));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node2.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /b HTTP/1.1\r\nHost: a.test\r\n\r\n"
                    + "GET /x HTTP/1.1\r\nHost: nowhere.test\r\n\r\n"
                    + "GET /y HTTP/1.1\r\nHost: x.wild.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Map<String, String> r = readResponse(s.getInputStream());
                answers.add(r.get(":status") + " " + r.getOrDefault("x-backend", "-"));
            }
            assertEquals(List.of("HTTP/1.1 200 OK b", "HTTP/1.1 404 Not Found -", "HTTP/1.1 200 OK b"), answers);
        }
    }

    @Test
    void aGetOnAPooledConnectionTheBackendClosedIsReplayedOnceOnANewOne() throws Exception {
        // Answers the first request of each connection and closes the connection on the second one
        // without answering: what a backend's keep-alive timeout does when it races a reused connection.
        try (ServerSocket oneShot = new ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!oneShot.isClosed()) {
                    try (Socket c = oneShot.accept()) {
                        c.setSoTimeout(10_000);
                        readHead(c.getInputStream());
                        c.getOutputStream().write("HTTP/1.1 200 OK\r\nX-Backend: one-shot\r\nContent-Length: 2\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                        readHead(c.getInputStream());
                    } catch (IOException e) {
                        // the next connection, or the end of the test
                    }
                }
            }, "one-shot-backend");
            t.setDaemon(true);
            t.start();
            RoutingTable base = baseTable(List.of(a1, a2));
            Backend shot = backend("one-shot", at(oneShot.getLocalPort()), null);
            List<Backend> backends = new ArrayList<>(base.backends());
            backends.add(shot);
            List<VirtualHost> hosts = new ArrayList<>(base.virtualHosts());
            hosts.add(0, new VirtualHost("one-shot.test", List.of(prefix("/", shot))));
            long v = publish(new RoutingTable(hosts, null, backends, List.of(), List.of()));
            awaitVersion(v, node1, node2);
            try (Socket s = new Socket("127.0.0.1", node1.httpPort())) {
                s.setSoTimeout(10_000);
                List<String> answers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: one-shot.test\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    Map<String, String> r = readResponse(s.getInputStream());
                    answers.add(r.get(":status") + " " + r.getOrDefault("x-backend", "-"));
                }
                assertEquals(List.of("HTTP/1.1 200 OK one-shot", "HTTP/1.1 200 OK one-shot", "HTTP/1.1 200 OK one-shot"),
                        answers);
            }
        }
        publish(baseTable(List.of(a1, a2)));
    }

    @Test
    void requestsAreRoutedAndForwardedOnTheirNormalisedPath() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node1.httpPort())) {
            s.setSoTimeout(10_000);
            List<String> answers = new ArrayList<>();
            // Exact /b is only reachable by its normalised path; the backend sees that path, query as sent.
            for (String target : List.of("/x/../b?q=/../1", "/%62", "//b", "/./b/.", "/b%2F..", "/%2e%2e/b",
                    "/caf\u00e9?\u00e9")) {
                // The target's characters are sent as the UTF-8 bytes a client would put on the wire.
                s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: a.test\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                Map<String, String> r = readResponse(s.getInputStream());
                answers.add(target + " " + r.get(":status") + " " + r.getOrDefault("x-backend", "-").charAt(0) + " "
                        + r.get(":body").lines().filter(l -> l.startsWith("uri: ")).findFirst().orElse("-"));
            }
            assertEquals(List.of(
                    "/x/../b?q=/../1 HTTP/1.1 200 OK b uri: /b?q=/../1",
                    "/%62 HTTP/1.1 200 OK b uri: /b",
                    "//b HTTP/1.1 200 OK b uri: /b",
                    "/./b/. HTTP/1.1 200 OK a uri: /b/",
                    "/b%2F.. HTTP/1.1 200 OK a uri: /b%2F..",
                    "/%2e%2e/b HTTP/1.1 200 OK b uri: /b",
                    "/caf\u00e9?\u00e9 HTTP/1.1 200 OK a uri: /caf%C3%A9?%C3%A9"), answers);
        }
    }

    @Test
    void aTargetThatIsNotAValidPathGets400AndTheConnectionStaysUsable() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node2.httpPort())) {
            s.setSoTimeout(10_000);
            List<String> answers = new ArrayList<>();
            for (String target : List.of("/a%zz", "/a%00", "b", "/b")) {
                s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: a.test\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                Map<String, String> r = readResponse(s.getInputStream());
                answers.add(target + " " + r.get(":status") + " " + r.getOrDefault("x-backend", "-"));
            }
            assertEquals(List.of("/a%zz HTTP/1.1 400 Bad Request -", "/a%00 HTTP/1.1 400 Bad Request -",
                    "b HTTP/1.1 400 Bad Request -", "/b HTTP/1.1 200 OK b"), answers);
        }
    }

    @Test
    void anIpv6EndpointIsConnectedTo() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(v6, 0), 16);
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback on this machine: " + e.getMessage());
            return;
        }
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("X-Backend", "v6");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            Backend six = backend("six", List.of(new Endpoint("::1", server.getAddress().getPort())), null);
            long v = publishWith(new VirtualHost("v6.test", List.of(prefix("/", six))), six);
            awaitVersion(v, node1);
            HttpResponse<String> r = get(node1, "v6.test", "/");
            assertEquals("200 v6", r.statusCode() + " " + backendOf(r));
        } finally {
            server.stop(0);
        }
        // The error names the endpoint as a URL authority would: [::1]:port.
        HttpResponse<String> refused = get(node1, "v6.test", "/");
        assertTrue(refused.body().contains(" at [::1]:" + server.getAddress().getPort()), refused.body());
        publish(baseTable(List.of(a1, a2)));
    }

    @Test
    void aDnsNameEndpointIsResolved() throws Exception {
        // An ExternalName Service's endpoint is a DNS name; "localhost" resolves to the IPv4 loopback first.
        Backend named = backend("named", List.of(new Endpoint("localhost", b.port())), null);
        long v = publishWith(new VirtualHost("external.test", List.of(prefix("/", named))), named);
        awaitVersion(v, node2);
        HttpResponse<String> r = get(node2, "external.test", "/x");
        assertEquals("200 b", r.statusCode() + " " + backendOf(r));
        publish(baseTable(List.of(a1, a2)));
    }

    /** Routes {@code framing.test/} to {@code raw} on node1 and returns a connected client socket. */
    private static Socket framingClient(RawBackend raw) throws IOException {
        Backend be = backend("raw", at(raw.port()), null);
        awaitVersion(publishWith(new VirtualHost("framing.test", List.of(prefix("/", be))), be), node1);
        Socket s = new Socket("127.0.0.1", node1.httpPort());
        s.setSoTimeout(5_000);
        return s;
    }

    private static String describe(RawBackend.Received r) {
        return r.requestLine() + " host=" + r.request().all("host") + " length=" + r.request().all("content-length")
                + " body=" + r.request().body().length;
    }

    @Test
    void connectionCannotNominateFramingOrHostSoNoRequestIsSmuggledToTheBackend() throws Exception {
        String smuggled = "GET /internal/secret HTTP/1.1\r\nHost: framing.test\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n";
        try (RawBackend raw = RawBackend.start(r -> RawBackend.ok("seen " + r.index()));
             Socket s = framingClient(raw)) {
            List<String> answers = new ArrayList<>();
            for (String request : List.of(
                    "POST /public/form HTTP/1.1\r\nHost: framing.test\r\nConnection: content-length\r\n"
                            + "Content-Length: " + smuggled.length() + "\r\n\r\n" + smuggled,
                    "POST /public/chunked HTTP/1.1\r\nHost: framing.test\r\nConnection: transfer-encoding\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(smuggled.length()) + "\r\n"
                            + smuggled + "\r\n0\r\n\r\n",
                    "GET /public/next HTTP/1.1\r\nHost: framing.test\r\nConnection: host\r\n\r\n")) {
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
                answers.add(m.startLine() + " " + m.bodyText());
            }
            assertEquals(List.of("HTTP/1.1 200 OK seen 0", "HTTP/1.1 200 OK seen 1", "HTTP/1.1 200 OK seen 2"), answers);
            assertEquals(List.of(
                    "POST /public/form HTTP/1.1 host=[framing.test] length=[" + smuggled.length() + "] body=" + smuggled.length(),
                    "POST /public/chunked HTTP/1.1 host=[framing.test] length=[] body=" + smuggled.length(),
                    "GET /public/next HTTP/1.1 host=[framing.test] length=[] body=0"),
                    raw.received().stream().map(ProxyNodeIT::describe).toList());
        } finally {
            publish(baseTable(List.of(a1, a2)));
        }
    }

    @Test
    void aResponseWhoseConnectionFieldNamesItsFramingIsStillFramedOnAKeptAliveConnection() throws Exception {
        try (RawBackend raw = RawBackend.start(r -> (r.index() == 0
                ? "HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\nhello"
                : "HTTP/1.1 200 OK\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nworld\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
             Socket s = framingClient(raw)) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                s.getOutputStream().write("GET /r HTTP/1.1\r\nHost: framing.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
                answers.add(m.startLine() + " " + m.framing() + " " + m.bodyText() + " " + m.get("connection"));
            }
            assertEquals(List.of("HTTP/1.1 200 OK CONTENT_LENGTH hello null", "HTTP/1.1 200 OK CHUNKED world null"), answers);
        } finally {
            publish(baseTable(List.of(a1, a2)));
        }
    }

    @Test
    void identityFieldsFromAClientAreReplacedByWhatTheProxySaw() throws Exception {
        try (RawBackend raw = RawBackend.start(r -> RawBackend.ok("ok"));
             Socket s = framingClient(raw)) {
            s.getOutputStream().write(("GET /who HTTP/1.1\r\nHost: framing.test\r\nX-Forwarded-For: 10.0.0.1\r\n"
                    + "X-Real-IP: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: admin.test\r\n"
                    + "X-Forwarded-Port: 443\r\nForwarded: for=10.0.0.1\r\nssl-client-verify: SUCCESS\r\n"
                    + "SSL-Client-Subject-DN: CN=admin\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", RawHttp.readResponse(s.getInputStream(), false).startLine());
            RawHttp.Message seen = raw.received().get(0).request();
            Map<String, List<String>> identity = new TreeMap<>();
            for (String f : List.of("x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host",
                    "x-forwarded-port", "forwarded", "ssl-client-verify", "ssl-client-subject-dn")) {
                identity.put(f, seen.all(f));
            }
            assertEquals(new TreeMap<>(Map.of("x-forwarded-for", List.of("127.0.0.1"), "x-real-ip", List.of("127.0.0.1"),
                    "x-forwarded-proto", List.of("http"), "x-forwarded-host", List.of("framing.test"),
                    "x-forwarded-port", List.of(String.valueOf(node1.httpPort())), "forwarded", List.of(),
                    "ssl-client-verify", List.of(), "ssl-client-subject-dn", List.of())), identity);
        } finally {
            publish(baseTable(List.of(a1, a2)));
        }
    }

    @Test
    void requestsWhoseFramingOrHostCannotBeTrustedAreRefusedAndTheConnectionClosed() throws Exception {
        try (RawBackend raw = RawBackend.start(r -> RawBackend.ok("ok"))) {
            framingClient(raw).close();
            List<String> answers = new ArrayList<>();
            for (String request : List.of(
                    "POST /a HTTP/1.1\r\nHost: framing.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
                    "POST /a HTTP/1.1\r\nHost: framing.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                    "POST /a HTTP/1.1\r\nHost: framing.test\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
                    "POST /a HTTP/1.0\r\nHost: framing.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    "GET /a HTTP/1.1\r\n\r\n",
                    "GET /a HTTP/1.1\r\nHost: framing.test\r\nHost: other.test\r\n\r\n",
                    "GET /a HTTP/1.1\r\nHost: framing.test\r\nHost: framing.test\r\n\r\n",
                    "GET /a HTTP/1.1\r\nHost: framing.test/../x\r\n\r\n",
                    "GET /a HTTP/1.1\r\nHost: de mo\r\n\r\n",
                    "GET /a HTTP/1.1\r\nHost: demo/x\r\n\r\n",
                    "GET /a HTTP/1.1\r\nHost: de\u0001mo\r\n\r\n")) {
                try (Socket s = new Socket("127.0.0.1", node1.httpPort())) {
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                    RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
                    answers.add(m.startLine() + " " + m.get("connection") + " " + s.getInputStream().read());
                }
            }
            assertEquals(List.of("HTTP/1.1 400 Bad Request close -1", "HTTP/1.1 501 Not Implemented close -1",
                    "HTTP/1.1 400 Bad Request close -1", "HTTP/1.1 400 Bad Request close -1",
                    "HTTP/1.1 400 Bad Request close -1", "HTTP/1.1 400 Bad Request close -1",
                    "HTTP/1.1 400 Bad Request close -1", "HTTP/1.1 400 Bad Request close -1",
                    "HTTP/1.1 400 Bad Request close -1", "HTTP/1.1 400 Bad Request close -1",
                    "HTTP/1.1 400 Bad Request close -1"), answers);
            assertEquals(List.of(), raw.received().stream().map(ProxyNodeIT::describe).toList());
        } finally {
            publish(baseTable(List.of(a1, a2)));
        }
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsAuthorityNotByTheHostField() throws Exception {
        try (RawBackend raw = RawBackend.start(r -> RawBackend.ok("ok"));
             Socket s = framingClient(raw)) {
            s.getOutputStream().write("GET http://framing.test/abs?q=1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
            assertEquals("HTTP/1.1 200 OK ok", m.startLine() + " " + m.bodyText());
            assertEquals(List.of("GET /abs?q=1 HTTP/1.1 host=[framing.test] length=[] body=0"),
                    raw.received().stream().map(ProxyNodeIT::describe).toList());
        } finally {
            publish(baseTable(List.of(a1, a2)));
        }
    }

    /** Publishes the base table plus one host and its backend. */
    private static long publishWith(VirtualHost host, Backend backend) {
        RoutingTable base = baseTable(List.of(a1, a2));
        List<Backend> backends = new ArrayList<>(base.backends());
        backends.add(backend);
        List<VirtualHost> hosts = new ArrayList<>(base.virtualHosts());
        hosts.add(0, host);
        return publish(new RoutingTable(hosts, null, backends, List.of(), List.of()));
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        for (int c; matched < 4 && (c = in.read()) >= 0; ) {
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        if (matched < 4) {
            throw new IOException("connection closed");
        }
    }

    @Test
    void aMalformedChunkGets400AndTheConnectionIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node1.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("POST /up HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Map<String, String> head = readResponse(s.getInputStream());
            assertEquals("HTTP/1.1 400 Bad Request -1", head.get(":status") + " " + s.getInputStream().read());
        }
    }

    @Test
    void malformedRequestGets400AndTheConnectionIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node1.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\nContent-Length: lots\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Map<String, String> head = readResponse(s.getInputStream());
            assertEquals("HTTP/1.1 400 Bad Request -1", head.get(":status") + " " + s.getInputStream().read());
        }
    }

    @Test
    void aLateNodeServesTheCurrentSnapshotAndNodesSwapTables() throws Exception {
        long v = publish(baseTable(List.of(a1, a2)));
        try (ProxyNode late = startNode("late")) {
            assertTrue(!lateThreads().isEmpty(), "the thread check should see the node's threads");
            awaitVersion(v, late, node1, node2);
            assertEquals(v, late.appliedVersion());
            assertTrue(backendOf(get(late, "a.test", "/")).startsWith("a"));
            JsonNode routes = Json.MAPPER.readTree(admin(late, "/routes").body());
            assertEquals(v, routes.get("version").asLong());
            assertTrue(routes.get("contentHash").asText().startsWith("sha256-tree:"));
            assertEquals(200, admin(late, "/readyz").statusCode());
            assertEquals((double) v, PrometheusText.parse(admin(late, "/metrics").body())
                    .value("signalbox_applied_snapshot_version"));

            long swapped = publish(baseTable(List.of(b)));
            awaitVersion(swapped, late, node1, node2);
            for (ProxyNode n : List.of(late, node1, node2)) {
                HttpResponse<String> r = get(n, "a.test", "/");
                assertEquals("b " + swapped, backendOf(r) + " " + r.headers().firstValue("X-Signalbox-Version").orElse("-"));
            }
            publish(baseTable(List.of(a1, a2)));
        }
        // Netty completes an event loop's termination future on that thread just before the thread ends.
        Await.value("no threads left behind by a closed node", WAIT, ProxyNodeIT::lateThreads, List::isEmpty);
    }

    @Test
    void drainingFinishesWhatIsUnderWayClosesIdleConnectionsAndRefusesNewOnes() throws Exception {
        try (ProxyNode n = startNode("drain")) {
            awaitVersion(version, n);
            int port = n.httpPort();
            try (Socket idle = new Socket("127.0.0.1", port); Socket busy = new Socket("127.0.0.1", port)) {
                idle.setSoTimeout(10_000);
                busy.setSoTimeout(10_000);
                byte[] getA = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                idle.getOutputStream().write(getA);
                assertEquals("HTTP/1.1 200 OK", readResponse(idle.getInputStream()).get(":status"));
                // A 16 MiB response the client has only begun to read is under way when the drain starts.
                busy.getOutputStream().write("GET / HTTP/1.1\r\nHost: big.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream busyIn = busy.getInputStream();
                readHead(busyIn);

                java.util.concurrent.CompletableFuture<Integer> drained = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> n.drain(Duration.ofSeconds(10)));
                Await.value("/readyz says draining", WAIT, () -> {
                    try {
                        HttpResponse<String> r = admin(n, "/readyz");
                        return r.statusCode() + " " + Json.MAPPER.readTree(r.body()).get("status").asText();
                    } catch (Exception e) {
                        return e.toString();
                    }
                }, "503 draining"::equals);
                Await.until("new connections are refused", WAIT, () -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        return false;
                    } catch (IOException e) {
                        return true;
                    }
                });
                // A request on the kept-alive connection within the grace is still answered, and told to close.
                idle.getOutputStream().write(getA);
                Map<String, String> last = readResponse(idle.getInputStream());
                assertEquals("HTTP/1.1 200 OK -1", last.get(":status") + " " + idle.getInputStream().read());
                byte[] rest = busyIn.readNBytes(BIG_RESPONSE_BYTES);
                assertEquals(BIG_RESPONSE_BYTES, rest.length, "the response under way is delivered whole");
                // Its head promised keep-alive before the drain began, so the client may reuse the connection
                // at once: that request is answered and told to close, not met by a reset.
                busy.getOutputStream().write(getA);
                Map<String, String> reused = readResponse(busyIn);
                assertEquals("HTTP/1.1 200 OK close -1", reused.get(":status") + " " + reused.get("connection")
                        + " " + busyIn.read());
                assertEquals(0, drained.get(30, java.util.concurrent.TimeUnit.SECONDS), "connections left open");
            }
        }
    }

    private static List<String> lateThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("signalbox-proxy") && t.getName().contains("late"))
                .map(Thread::getName).toList();
    }

    private static long connectionsOpened(ProxyNode n) throws Exception {
        return (long) PrometheusText.parse(admin(n, "/metrics").body()).sum("signalbox_upstream_connections_opened_total");
    }

    /** The base table plus zoned.test, whose backend (cluster c) has {@code endpoints}, wherever they run. */
    private static RoutingTable zonedTable(List<Endpoint> endpoints) {
        RoutingTable base = baseTable(List.of(a1, a2));
        Backend zoned = backend("zoned", endpoints, endpoints.isEmpty() ? "service default/zoned has no ready endpoints" : null);
        List<VirtualHost> hosts = new ArrayList<>(base.virtualHosts());
        // Exact hosts sorted by name, before the wildcards.
        hosts.add(hosts.indexOf(hosts.stream().filter(h -> h.host().startsWith("*.")).findFirst().orElseThrow()),
                new VirtualHost("zoned.test", List.of(prefix("/", zoned))));
        List<Backend> backends = new ArrayList<>(base.backends());
        backends.add(zoned);
        return new RoutingTable(hosts, null, backends, List.of(), List.of());
    }

    /**
     * Requests to zoned.test sent one after another on a thread of their own until closed: what served each
     * (the X-Backend name), or "FAILED ..." for anything but a 200.
     */
    private static final class Load implements AutoCloseable {
        private final List<String> served = new CopyOnWriteArrayList<>();
        private volatile boolean stop;
        private final Thread thread;

        Load(ProxyNode node) {
            thread = new Thread(() -> {
                while (!stop) {
                    try {
                        HttpResponse<String> r = get(node, "zoned.test", "/");
                        served.add(r.statusCode() == 200 ? backendOf(r) : "FAILED " + r.statusCode() + " " + r.body());
                    } catch (Exception e) {
                        served.add("FAILED " + e);
                    }
                }
            }, "zoned-load");
            thread.start();
        }

        /** What served the next {@code n} requests begun after this call. */
        List<String> next(int n) {
            // The request under way may have begun before: skip it.
            int from = served.size() + 1;
            Await.until(n + " more requests", WAIT, () -> served.size() >= from + n);
            // A copy first: a CopyOnWriteArrayList's subList throws once the load thread appends again.
            return List.copyOf(served).subList(from, from + n);
        }

        long failed() {
            return served.stream().filter(x -> x.startsWith("FAILED")).count();
        }

        /** Requests served by each backend so far. */
        Map<String, Long> byBackend() {
            return served.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(WAIT.toMillis());
        }
    }

    /** signalbox_requests_total of zoned.test's 200s by locality label, as the node's /metrics says. */
    private static Map<String, Long> servedByLocality(ProxyNode n) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        PrometheusText.parse(admin(n, "/metrics").body()).series("signalbox_requests_total").stream()
                .filter(s -> s.labels().get("route").equals("zoned.test/") && s.labels().get("code").equals("200"))
                .forEach(s -> out.put(s.labels().get("locality"), (long) s.value()));
        return out;
    }

    /**
     * A node with a 1 s connect timeout and a 5 s response timeout: the silent backend's 504 takes 5 s, and 300
     * concurrent requests on a loaded 2-core machine do not run into it (with 1 s, 3 of 300 did once).
     */
    private static ProxyNode startNode(String id, Locality locality) {
        return ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), id, "127.0.0.1", 0, 0, Duration.ofSeconds(1),
                RESPONSE_TIMEOUT).withLocality(locality));
    }

    @Test
    void aProxyServesFromItsZoneThenItsClusterThenAnotherClusterAndBackWithoutAFailedRequest() throws Exception {
        try (EchoBackend zone = EchoBackend.start("zone"); EchoBackend cluster = EchoBackend.start("cluster");
             EchoBackend remote = EchoBackend.start("remote");
             ProxyNode near = startNode("near", new Locality("c", "z1", Locality.Policy.PREFER_LOCAL))) {
            Endpoint inZone = new Endpoint("127.0.0.1", zone.port(), null, "z1");
            Endpoint inCluster = new Endpoint("127.0.0.1", cluster.port(), null, "z2");
            // Another cluster's endpoint, in a zone of the same name: zones count only within the proxy's cluster.
            Endpoint otherCluster = new Endpoint("127.0.0.1", remote.port(), "c2", "z1");
            awaitVersion(publish(zonedTable(List.of(inZone, inCluster, otherCluster))), near);
            List<String> phases = new ArrayList<>();
            try (Load load = new Load(near)) {
                phases.add(String.join(",", new java.util.TreeSet<>(load.next(50))));
                // The zone's endpoint goes unready: its cluster serves.
                awaitVersion(publish(zonedTable(List.of(inCluster, otherCluster))), near);
                phases.add(String.join(",", new java.util.TreeSet<>(load.next(50))));
                // The whole cluster goes unready: the other cluster serves.
                awaitVersion(publish(zonedTable(List.of(otherCluster))), near);
                phases.add(String.join(",", new java.util.TreeSet<>(load.next(50))));
                // They come back: traffic returns to the zone.
                awaitVersion(publish(zonedTable(List.of(inZone, inCluster, otherCluster))), near);
                phases.add(String.join(",", new java.util.TreeSet<>(load.next(50))));
                load.close();
                assertEquals(List.of("zone", "cluster", "remote", "zone"), phases);
                assertEquals(0, load.failed(), "failed requests during failover and back");
                Map<String, Long> byBackend = load.byBackend();
                Map<String, Long> expected = new TreeMap<>(Map.of("local-zone", byBackend.get("zone"),
                        "local-cluster", byBackend.get("cluster"), "remote", byBackend.get("remote")));
                // The counter moves once the response is written, a moment after the client has it.
                Await.value("the locality label to count every request", WAIT, () -> {
                    try {
                        return servedByLocality(near);
                    } catch (Exception e) {
                        return Map.<String, Long>of();
                    }
                }, expected::equals);
                System.out.println("locality failover: requests per backend " + byBackend + ", failed " + load.failed());
            }
        } finally {
            publish(baseTable(List.of(a1, a2)));
        }
    }

    @Test
    void anEndpointInTheZoneThatRefusesConnectionsFallsOverToTheClusterAndIsEjected() throws Exception {
        try (EchoBackend cluster = EchoBackend.start("cluster");
             ProxyNode near = startNode("near-refused", new Locality("c", "z1", Locality.Policy.PREFER_LOCAL))) {
            Endpoint refusing = new Endpoint("127.0.0.1", deadPort, null, "z1");
            Endpoint inCluster = new Endpoint("127.0.0.1", cluster.port(), null, "z2");
            awaitVersion(publish(zonedTable(List.of(refusing, inCluster))), near);
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = get(near, "zoned.test", "/");
                served.add(r.statusCode() + " " + backendOf(r));
            }
            assertEquals(java.util.Collections.nCopies(20, "200 cluster"), served);
            PrometheusText.Exposition metrics = PrometheusText.parse(admin(near, "/metrics").body());
            // Three refused connections eject it; until then each request was retried on the cluster's endpoint.
            assertEquals(1.0, metrics.value("signalbox_outlier_ejections_total"), metrics.toString());
            assertEquals(3.0, metrics.value("signalbox_upstream_retries_total", "route", "zoned.test/", "reason",
                    "connect_failure"), metrics.toString());
            assertEquals(Map.of("local-cluster", 20L), servedByLocality(near));
        } finally {
            publish(baseTable(List.of(a1, a2)));
        }
    }

    /** Reads one response with a Content-Length body; returns its lower-cased fields, ":status" and ":body". */
    private static Map<String, String> readResponse(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                String l = line.toString(StandardCharsets.US_ASCII).stripTrailing();
                line.reset();
                if (l.isEmpty()) {
                    break;
                }
                lines.add(l);
            } else {
                line.write(c);
            }
        }
        Map<String, String> head = lines.stream().skip(1).collect(Collectors.toMap(
                l -> l.substring(0, l.indexOf(':')).toLowerCase(java.util.Locale.ROOT),
                l -> l.substring(l.indexOf(':') + 1).trim(), (x, y) -> x + "," + y, TreeMap::new));
        head.put(":status", lines.isEmpty() ? "none" : lines.get(0));
        byte[] body = in.readNBytes(Integer.parseInt(head.getOrDefault("content-length", "0")));
        head.put(":body", new String(body, StandardCharsets.UTF_8));
        return head;
    }
}
