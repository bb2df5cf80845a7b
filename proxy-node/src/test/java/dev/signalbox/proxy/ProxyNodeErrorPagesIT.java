package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.RawBackend;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's default-backend and custom-http-errors through a real node, against what ingress-nginx answers for the
 * same requests: a backend's 404 or 503 replaced by the default backend's answer (its status and body as they are),
 * the request that asks for it (same method, path "/" with the query, no body, X-Code, X-Format, X-Original-URI,
 * X-Namespace, X-Ingress-Name, X-Service-Name, X-Service-Port, X-Request-ID, the client's Host), other statuses
 * passed on, a 404 whose body never ends replaced on its head, the proxy's own page without a default backend, and
 * a Service without endpoints served by the default backend (503 when that has none either). No buffer leaks.
 */
class ProxyNodeErrorPagesIT {
    static {
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The fields a custom error backend reads, in the order compared. */
    private static final List<String> ERROR_FIELDS = List.of("Host", "X-Code", "X-Format", "X-Original-URI",
            "X-Namespace", "X-Ingress-Name", "X-Service-Name", "X-Service-Port", "X-Request-ID", "Content-Length",
            "Transfer-Encoding");

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static RawBackend app;
    private static RawBackend errors;
    private static ProxyNode node;

    /** The app: its path names the status it answers; /endless answers 404 with a chunked body that never ends. */
    private static byte[] app(RawBackend.Received r) {
        String target = r.requestLine().split(" ")[1];
        if (target.startsWith("/endless")) {
            return "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nstart\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
        }
        int status = target.startsWith("/missing") ? 404 : target.startsWith("/fail") ? 503
                : target.startsWith("/broken") ? 500 : 200;
        String body = "app " + status;
        return ("HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length() + "\r\nX-From: app\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A custom error backend as ingress-nginx's example: it answers with the status X-Code names (200 without one). */
    private static byte[] errorPage(RawBackend.Received r) {
        String code = r.request().get("X-Code");
        String body = "custom page " + (code == null ? "for " + r.requestLine() : code);
        return ("HTTP/1.1 " + (code == null ? "200" : code) + " X\r\nContent-Length: " + body.length()
                + "\r\nX-From: errors\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private static Route route(Backend b, ErrorPages pages) {
        return new Route("/", PathMatch.PREFIX, b.id(), "c/shop/web", false,
                new RouteOptions(null, null, null, null, null, null, null, null, pages));
    }

    private static Backend backend(String name, RawBackend server) {
        return new Backend(Backend.idOf("c", "shop", name, "80"), "c", "shop", name, "80",
                server == null ? List.of() : List.of(new Endpoint("127.0.0.1", server.port())),
                server == null ? "no ready endpoints for service shop/" + name + " port 80" : null);
    }

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-error-pages-it", 4096);
        app = RawBackend.start(ProxyNodeErrorPagesIT::app);
        errors = RawBackend.start(ProxyNodeErrorPagesIT::errorPage);
        Backend up = backend("app", app);
        Backend errorsUp = backend("errors", errors);
        Backend down = backend("down", null);
        Backend errorsDown = backend("errors-down", null);
        RoutingSnapshot s = SnapshotCodec.create(1, Instant.now(), List.of(), new RoutingTable(List.of(
                new VirtualHost("errors.test", List.of(route(up, new ErrorPages(errorsUp.id(), List.of(404, 503),
                        "shop", "web", "app", "80")))),
                new VirtualHost("own.test", List.of(route(up, new ErrorPages(null, List.of(404), "shop", "web", "app",
                        "80")))),
                new VirtualHost("down.test", List.of(route(down, new ErrorPages(errorsUp.id(), List.of(), "shop", "web",
                        "down", "80")))),
                new VirtualHost("alldown.test", List.of(route(down, new ErrorPages(errorsDown.id(), List.of(503), "shop",
                        "web", "down", "80"))))),
                null, List.of(up, errorsUp, down, errorsDown), List.of(), List.of()));
        publisher.publish(s);
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "error-pages", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(5)));
        Await.until("the node to apply version 1", WAIT, () -> node.appliedVersion() >= 1);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, app, errors, kafka);
    }

    /** What the client got: status, X-From, body. */
    private record Answer(int status, String from, String body) {
        static Answer of(HttpResponse<String> r) {
            return new Answer(r.statusCode(), r.headers().firstValue("X-From").orElse(null), r.body());
        }
    }

    /** The request line and {@link #ERROR_FIELDS} of the last request the errors backend received. */
    private static List<String> lastErrorRequest() {
        List<RawBackend.Received> all = errors.received();
        RawHttp.Message m = all.get(all.size() - 1).request();
        List<String> out = new ArrayList<>(List.of(m.startLine()));
        for (String name : ERROR_FIELDS) {
            out.add(name + ": " + m.get(name));
        }
        return out;
    }

    private static List<String> errorRequest(String line, String code, String format, String uri, String service) {
        return List.of(line, "Host: errors.test", "X-Code: " + code, "X-Format: " + format, "X-Original-URI: " + uri,
                "X-Namespace: shop", "X-Ingress-Name: web", "X-Service-Name: " + service, "X-Service-Port: 80",
                "X-Request-ID: it-1", "Content-Length: null", "Transfer-Encoding: null");
    }

    @Test
    void aBackend404IsAnsweredByTheDefaultBackendAskedWithIngressNginxsFields() {
        assertEquals(new Answer(404, "errors", "custom page 404"), Answer.of(Http.get(node.httpPort(), "errors.test",
                "/missing/page?q=1", "Accept", "application/json", "X-Request-ID", "it-1", "X-Code", "999")));
        assertEquals(errorRequest("GET /?q=1 HTTP/1.1", "404", "application/json", "/missing/page?q=1", "app"),
                lastErrorRequest());
    }

    @Test
    void aBackend503IsReplacedTooAndAPostAsksForThePageWithItsMethodAndNoBody() {
        HttpResponse<String> r = Http.post(node.httpPort(), "errors.test", "/fail", "a body".getBytes(StandardCharsets.UTF_8));
        assertEquals(new Answer(503, "errors", "custom page 503"), Answer.of(r));
        List<String> request = lastErrorRequest();
        assertEquals(List.of("POST / HTTP/1.1", "X-Code: 503", "X-Original-URI: /fail", "Content-Length: null",
                "Transfer-Encoding: null"), List.of(request.get(0), request.get(2), request.get(4), request.get(10),
                request.get(11)));
    }

    @Test
    void statusesNotListedArePassedOnAsTheBackendSentThem() {
        int asked = errors.received().size();
        assertEquals(List.of(new Answer(200, "app", "app 200"), new Answer(500, "app", "app 500")), List.of(
                Answer.of(Http.get(node.httpPort(), "errors.test", "/ok")),
                Answer.of(Http.get(node.httpPort(), "errors.test", "/broken"))));
        assertEquals(asked, errors.received().size());
    }

    @Test
    void a404WhoseBodyNeverEndsIsReplacedOnItsHead() {
        assertEquals(new Answer(404, "errors", "custom page 404"),
                Answer.of(Http.get(node.httpPort(), "errors.test", "/endless", "X-Request-ID", "it-1")));
        assertEquals(errorRequest("GET / HTTP/1.1", "404", "null", "/endless", "app"), lastErrorRequest());
    }

    @Test
    void withoutADefaultBackendTheProxyAnswersWithItsOwnPageAndTheBackendsStatus() {
        HttpResponse<String> r = Http.get(node.httpPort(), "own.test", "/missing");
        assertEquals(new Answer(404, null, "the backend answered 404 (custom-http-errors; the Ingress's default-backend "
                + "is not set)\n"), Answer.of(r));
    }

    @Test
    void aServiceWithoutEndpointsIsServedByTheDefaultBackendAsTheRequestCame() {
        assertEquals(new Answer(200, "errors", "custom page for GET /a/b?x=1 HTTP/1.1"),
                Answer.of(Http.get(node.httpPort(), "down.test", "/a/b?x=1")));
    }

    @Test
    void whenTheDefaultBackendHasNoEndpointEitherTheAnswerIs503() {
        HttpResponse<String> r = Http.get(node.httpPort(), "alldown.test", "/");
        assertEquals(503, r.statusCode(), r.body());
    }
}
