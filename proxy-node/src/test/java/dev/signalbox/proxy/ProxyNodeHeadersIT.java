package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.RawBackend;
import java.io.IOException;
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
 * Issue 18's header annotations through a real node: CORS preflights answered by the proxy with ingress-nginx's
 * 204 and fields (nothing reaches the backend), the CORS fields on backend responses and on the proxy's own 503
 * for an allowed Origin, none for another, one-label wildcard origins, and signalbox.dev/response-headers setting
 * and removing fields. Raw sockets, so the whole head is compared field by field.
 */
class ProxyNodeHeadersIT {
    static {
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    private static final String HEADERS =
            "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static RawBackend backend;
    private static ProxyNode node;

    private static Route route(String path, Backend b, HeaderOptions headers) {
        return route(path, b, null, headers);
    }

    private static Route route(String path, Backend b, RouteAccess access, HeaderOptions headers) {
        return new Route(path, PathMatch.PREFIX, b.id(), "c/default/it", false,
                new RouteOptions(null, null, null, null, null, null, access, headers, null));
    }

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-headers-it", 4096);
        // A backend with CORS fields of its own, which the route's replace, and a Server field to remove.
        backend = RawBackend.start(r -> ("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nAccess-Control-Allow-Origin: backend\r\n"
                + "Server: tiny\r\n\r\nbackend").getBytes(StandardCharsets.US_ASCII));
        Backend up = new Backend(Backend.idOf("c", "default", "raw", "80"), "c", "default", "raw", "80",
                List.of(new Endpoint("127.0.0.1", backend.port())), null);
        Backend down = new Backend(Backend.idOf("c", "default", "down", "80"), "c", "default", "down", "80", List.of(),
                "service default/down has no ready endpoints");
        HeaderOptions any = new HeaderOptions(new HeaderOptions.Cors(List.of("*"), METHODS, HEADERS, true, null, 1728000),
                List.of());
        HeaderOptions listed = new HeaderOptions(new HeaderOptions.Cors(List.of("https://app.example.com",
                "https://*.example.org"), "GET, POST", "Content-Type", true, "X-Total", 600),
                List.of(new HeaderOptions.Field("X-Frame-Options", "DENY"), new HeaderOptions.Field("Server", "")));
        RoutingSnapshot s = SnapshotCodec.create(1, Instant.now(), List.of(), new RoutingTable(List.of(
                new VirtualHost("any.test", List.of(route("/down", down, any), route("/", up, any))),
                // Every client of this test (127.0.0.1) is refused by the route's denylist-source-range.
                new VirtualHost("denied.test", List.of(route("/", up, new RouteAccess(List.of(), List.of("127.0.0.0/8"),
                        null, null, null), any))),
                new VirtualHost("list.test", List.of(route("/", up, listed))),
                new VirtualHost("plain.test", List.of(route("/", up, null)))),
                null, List.of(up, down), List.of(), List.of()));
        publisher.publish(s);
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "headers", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(5)));
        Await.until("the node to apply version 1", WAIT, () -> node.appliedVersion() >= 1);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, backend, kafka);
    }

    /** What came back for one request, and whether the backend saw it. */
    private record Answer(String status, List<String> fields, boolean reachedBackend) {
    }

    private static Answer send(String method, String host, String path, String... fields) throws IOException {
        int before = backend.received().size();
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host
                + "\r\nX-Request-ID: it-1\r\n");
        for (String f : fields) {
            head.append(f).append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", node.httpPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            RawHttp.Message m = RawHttp.readResponse(socket.getInputStream(), false);
            List<String> out = new ArrayList<>();
            for (RawHttp.Field f : m.fields()) {
                out.add(f.name() + ": " + f.value());
            }
            return new Answer(m.startLine(), out, backend.received().size() > before);
        }
    }

    private static List<String> fields(String... fields) {
        return List.of(fields);
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredByTheProxyWith204AndTheCorsFields() throws IOException {
        assertEquals(new Answer("HTTP/1.1 204 No Content", fields("x-signalbox-version: 1", "x-request-id: it-1",
                        "x-frame-options: DENY", "access-control-allow-origin: https://app.example.com",
                        "access-control-allow-credentials: true", "access-control-allow-methods: GET, POST",
                        "access-control-allow-headers: Content-Type", "access-control-expose-headers: X-Total",
                        "access-control-max-age: 600"), false),
                send("OPTIONS", "list.test", "/api", "Origin: https://app.example.com",
                        "Access-Control-Request-Method: PUT", "Access-Control-Request-Headers: content-type"));
    }

    @Test
    void withAnyOriginEveryOptionsIsAPreflightEvenWithoutOriginAsInIngressNginx() throws IOException {
        assertEquals(new Answer("HTTP/1.1 204 No Content", fields("x-signalbox-version: 1", "x-request-id: it-1",
                        "access-control-allow-origin: *", "access-control-allow-credentials: true",
                        "access-control-allow-methods: " + METHODS, "access-control-allow-headers: " + HEADERS,
                        "access-control-max-age: 1728000"), false),
                send("OPTIONS", "any.test", "/"));
    }

    @Test
    void aGetFromAnAllowedOriginGetsItsOriginReplacingTheBackendsAndTheResponseFields() throws IOException {
        assertEquals(new Answer("HTTP/1.1 200 OK", fields("content-length: 7", "x-signalbox-version: 1",
                        "x-request-id: it-1", "x-frame-options: DENY", "access-control-allow-origin: https://app.example.com",
                        "access-control-allow-credentials: true", "access-control-allow-methods: GET, POST",
                        "access-control-allow-headers: Content-Type", "access-control-expose-headers: X-Total",
                        "access-control-max-age: 600"), true),
                send("GET", "list.test", "/", "Origin: https://app.example.com"));
    }

    @Test
    void aOneLabelWildcardOriginIsEchoedAndTwoLabelsAreNot() throws IOException {
        List<String> allowed = send("GET", "list.test", "/", "Origin: https://shop-1.example.org").fields();
        List<String> deeper = send("GET", "list.test", "/", "Origin: https://a.shop.example.org").fields();
        assertEquals(List.of(List.of("access-control-allow-origin: https://shop-1.example.org"),
                        List.of("access-control-allow-origin: backend")),
                List.of(allowed.stream().filter(f -> f.startsWith("access-control-allow-origin")).toList(),
                        deeper.stream().filter(f -> f.startsWith("access-control-allow-origin")).toList()));
    }

    @Test
    void anOriginThatIsNotAllowedGetsNoCorsFieldsAndItsPreflightGoesToTheBackend() throws IOException {
        List<String> backendOnly = fields("content-length: 7", "access-control-allow-origin: backend",
                "x-signalbox-version: 1", "x-request-id: it-1", "x-frame-options: DENY");
        assertEquals(List.of(new Answer("HTTP/1.1 200 OK", backendOnly, true),
                        new Answer("HTTP/1.1 200 OK", backendOnly, true)),
                List.of(send("GET", "list.test", "/", "Origin: https://evil.example.com"),
                        send("OPTIONS", "list.test", "/", "Origin: https://evil.example.com",
                                "Access-Control-Request-Method: DELETE")));
    }

    @Test
    void theProxysOwn503OfACorsRouteCarriesTheCorsFields() throws IOException {
        Answer a = send("GET", "any.test", "/down", "Origin: https://app.example.com");
        assertEquals(List.of("HTTP/1.1 503 Service Unavailable", "access-control-allow-origin: *"),
                List.of(a.status(), a.fields().stream().filter(f -> f.startsWith("access-control-allow-origin")).findFirst()
                        .orElse("none")));
    }

    @Test
    void aPreflightIsAnsweredBeforeAccessIsCheckedAndTheRefusalCarriesTheCorsFields() throws IOException {
        Answer preflight = send("OPTIONS", "denied.test", "/", "Origin: https://app.example.com");
        Answer refused = send("GET", "denied.test", "/", "Origin: https://app.example.com");
        assertEquals(List.of("HTTP/1.1 204 No Content", "access-control-allow-origin: *", "HTTP/1.1 403 Forbidden",
                        "access-control-allow-origin: *", "false"),
                List.of(preflight.status(), allowOrigin(preflight), refused.status(), allowOrigin(refused),
                        String.valueOf(preflight.reachedBackend() || refused.reachedBackend())));
    }

    private static String allowOrigin(Answer a) {
        return a.fields().stream().filter(f -> f.startsWith("access-control-allow-origin")).findFirst().orElse("none");
    }

    @Test
    void aRouteWithoutOptionsPassesTheBackendsFieldsUntouched() throws IOException {
        // In the backend's order: the proxy's fields come after the backend's, whose length is left where it was.
        assertEquals(new Answer("HTTP/1.1 200 OK", fields("content-length: 7", "access-control-allow-origin: backend",
                        "server: tiny", "x-signalbox-version: 1", "x-request-id: it-1"), true),
                send("GET", "plain.test", "/", "Origin: https://app.example.com"));
    }
}
