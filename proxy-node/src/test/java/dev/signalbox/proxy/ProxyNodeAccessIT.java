package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.RouteOptions;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access control through a real node (issue 18), with the status codes and fields ingress-nginx answers with: source
 * ranges checked on the address a PROXY protocol header gives (and on X-Forwarded-For only from a trusted proxy),
 * basic authentication against an htpasswd file with bcrypt, SHA-1 and APR1 users and against an auth map (401 with
 * {@code WWW-Authenticate}), and the 503 of a route whose access annotations were unusable. The node expects a PROXY
 * v1 header on every connection and trusts 192.0.2.0/24.
 */
class ProxyNodeAccessIT {
    static {
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final KeyRing KEYS = KeyRing.of(Map.of("k1", new byte[32]), null);
    /** Users foo (APR1, ingress-nginx's own example), sha (SHA-1) and bc (bcrypt, cost 5): each with password "bar". */
    private static final String HTPASSWD = "foo:$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0\n"
            + "sha:{SHA}Ys23Ag/5IOWqZCw9QGaVDdHwH00=\n"
            + "bc:$2y$05$abcdefghijklmnopqrstuuUq7qXkDOZJ5Q8HA9wCOH0FErWp6q0b6\n";

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static RawBackend backend;
    /**
     * The auth-url service: X-Token good is 200 with the user, renew 200 with a cookie, anonymous 204 without a user,
     * forbidden 403, broken 502, slow no answer, else 401 with a cookie.
     */
    private static RawBackend auth;
    private static ProxyNode node;

    private static SealedKey sealed(String secret, Map<String, String> data) throws IOException {
        return KEYS.seal(Json.MAPPER.writeValueAsBytes(data), TlsSecretState.sealingContext("c", "default", secret));
    }

    private static Route route(String path, Backend b, RouteAccess access) {
        return new Route(path, PathMatch.PREFIX, b.id(), "c/default/it", false, new RouteOptions(null, null, null, null, null, null, access, null, null));
    }

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-access-it", 4096);
        backend = RawBackend.start(r -> RawBackend.ok("seen " + r.index()));
        auth = RawBackend.start(r -> {
            String token = String.valueOf(r.request().get("x-token"));
            return switch (token) {
                case "good" -> "HTTP/1.1 200 OK\r\nX-Auth-Request-User: alice\r\nContent-Length: 2\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII);
                case "renew" -> "HTTP/1.1 200 OK\r\nSet-Cookie: session=renewed; Path=/\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII);
                case "anonymous" -> "HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                case "forbidden" -> "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                case "broken" -> "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                case "slow" -> {
                    try {
                        Thread.sleep(15_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    yield null;
                }
                default -> ("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"sso\"\r\n"
                        + "Set-Cookie: csrf=x; Path=/\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            };
        });
        Backend be = new Backend(Backend.idOf("c", "default", "raw", "80"), "c", "default", "raw", "80",
                List.of(new Endpoint("127.0.0.1", backend.port())), null);
        RouteAccess.BasicAuth file = new RouteAccess.BasicAuth("Staff \"only\"", "c/default/users", false,
                sealed("users", Map.of("auth", HTPASSWD)));
        RouteAccess.BasicAuth map = new RouteAccess.BasicAuth("", "c/default/map", true,
                sealed("map", Map.of("foo", "{SHA}Ys23Ag/5IOWqZCw9QGaVDdHwH00=")));
        publisher.publish(SnapshotCodec.create(1, Instant.now(), List.of(), new RoutingTable(List.of(
                new VirtualHost("access.test", List.of(
                        route("/office", be, new RouteAccess(List.of("203.0.113.0/24", "2001:db8::/32"),
                                List.of("203.0.113.128/25"), null, null, null)),
                        route("/auth", be, new RouteAccess(List.of(), List.of(), file, null, null)),
                        route("/map", be, new RouteAccess(List.of(), List.of(), map, null, null)),
                        route("/both", be, new RouteAccess(List.of("203.0.113.0/24"), List.of(), file, null, null)),
                        route("/ext", be, new RouteAccess(List.of(), List.of(), null, new RouteAccess.ExternalAuth(
                                "http://127.0.0.1:" + auth.port() + "/check?x=1", null, null, "rd",
                                List.of("X-Auth-Request-User"), null, null, List.of()), null)),
                        route("/cached", be, new RouteAccess(List.of(), List.of(), null, new RouteAccess.ExternalAuth(
                                "http://127.0.0.1:" + auth.port() + "/cached", null, null, "rd", List.of(), null,
                                "$http_x_token", List.of(new RouteAccess.CacheValid(List.of(200), false, 300))), null)),
                        route("/signin", be, new RouteAccess(List.of(), List.of(), null, new RouteAccess.ExternalAuth(
                                "http://127.0.0.1:" + auth.port() + "/check", "POST", "https://login.example/start", "rd",
                                List.of(), "https://app.example/", null, List.of()), null)),
                        route("/broken", be, new RouteAccess(List.of(), List.of(), null, null, "auth Secret ns/x does not exist")),
                        new Route("/", PathMatch.PREFIX, be.id(), "c/default/it")))),
                null, List.of(be), List.of(), List.of())));
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "access", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(3)).withKeys(KEYS).withIoThreads(1)
                .withTrustedProxies(TrustedProxies.parse("192.0.2.0/24"))
                .withClients(new ClientPolicy(ClientPolicy.DEFAULT.headerTimeout(), ClientPolicy.DEFAULT.keepaliveTimeout(),
                        true)));
        Await.until("the node to apply version 1", WAIT, () -> node.appliedVersion() >= 1);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, backend, auth, kafka);
    }

    /** One request from {@code client} (as a PROXY v1 header says); the status, then the fields asked for. */
    private static List<String> get(String client, String path, String extraFields, String... fields) throws IOException {
        String family = client.contains(":") ? "TCP6" : "TCP4";
        String local = client.contains(":") ? "2001:db8::1" : "10.0.0.1";
        try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("PROXY " + family + " " + client + " " + local + " 40000 80\r\n"
                    + "GET " + path + " HTTP/1.1\r\nHost: access.test\r\n" + extraFields + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
            List<String> out = new ArrayList<>(List.of(String.valueOf(m.status())));
            for (String f : fields) {
                out.add(String.valueOf(m.get(f)));
            }
            return out;
        }
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    @Test
    void sourceRangesAreCheckedOnTheProxyProtocolAddress() throws IOException {
        assertEquals(List.of(List.of("200"), List.of("403"), List.of("403"), List.of("200"), List.of("403"), List.of("200")),
                List.of(get("203.0.113.7", "/office", ""),
                        get("198.51.100.7", "/office", ""),
                        get("203.0.113.200", "/office", ""),
                        get("2001:db8::42", "/office", ""),
                        get("2001:db9::42", "/office", ""),
                        get("198.51.100.7", "/open", "")));
    }

    @Test
    void xForwardedForCountsOnlyFromATrustedProxy() throws IOException {
        assertEquals(List.of(List.of("200"), List.of("403")),
                List.of(get("192.0.2.10", "/office", "X-Forwarded-For: 203.0.113.7\r\n"),
                        get("198.51.100.7", "/office", "X-Forwarded-For: 203.0.113.7\r\n")));
    }

    @Test
    void basicAuthChecksBcryptSha1AndApr1UsersAndChallengesOthers() throws IOException {
        String challenge = "Basic realm=\"Staff \\\"only\\\"\"";
        assertEquals(List.of(
                        List.of("401", challenge), List.of("200", "null"), List.of("200", "null"), List.of("200", "null"),
                        List.of("401", challenge), List.of("401", challenge), List.of("401", challenge),
                        List.of("200", "null"), List.of("401", "Basic realm=\"\"")),
                List.of(get("198.51.100.7", "/auth", "", "www-authenticate"),
                        get("198.51.100.7", "/auth", basic("foo", "bar"), "www-authenticate"),
                        get("198.51.100.7", "/auth", basic("sha", "bar"), "www-authenticate"),
                        get("198.51.100.7", "/auth", basic("bc", "bar"), "www-authenticate"),
                        get("198.51.100.7", "/auth", basic("bc", "wrong"), "www-authenticate"),
                        get("198.51.100.7", "/auth", basic("nobody", "bar"), "www-authenticate"),
                        get("198.51.100.7", "/auth", "Authorization: Bearer abc\r\n", "www-authenticate"),
                        get("198.51.100.7", "/map", basic("foo", "bar"), "www-authenticate"),
                        get("198.51.100.7", "/map", basic("foo", "baz"), "www-authenticate")));
    }

    @Test
    void aRememberedBcryptCheckStillRefusesAnotherPassword() throws IOException {
        assertEquals(List.of(List.of("200"), List.of("200"), List.of("401")),
                List.of(get("198.51.100.7", "/auth", basic("bc", "bar")),
                        get("198.51.100.7", "/auth", basic("bc", "bar")),
                        get("198.51.100.7", "/auth", basic("bc", "bar2"))));
    }

    @Test
    void sourceRangesComeBeforeCredentialsAndAMisconfiguredRouteAnswers503() throws IOException {
        assertEquals(List.of(List.of("403"), List.of("401"), List.of("200"), List.of("503")),
                List.of(get("198.51.100.7", "/both", basic("foo", "bar")),
                        get("203.0.113.7", "/both", ""),
                        get("203.0.113.7", "/both", basic("foo", "bar")),
                        get("203.0.113.7", "/broken", basic("foo", "bar"))));
    }

    @Test
    void externalAuthLetsThroughWhatTheServiceAllowsWithItsFieldsAndAnswersTheRest() throws IOException {
        int before = backend.received().size();
        int asked = auth.received().size();
        assertEquals(List.of(List.of("200"), List.of("401", "Bearer realm=\"sso\"", "null"), List.of("403", "null"),
                        List.of("500", "null")),
                List.of(get("198.51.100.7", "/ext/a?b=c", "X-Token: good\r\nX-Auth-Request-User: mallory\r\n"
                                + "X-Request-ID: it-1\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\n"),
                        get("198.51.100.7", "/ext", "", "www-authenticate", "set-cookie"),
                        get("198.51.100.7", "/ext", "X-Token: forbidden\r\n", "www-authenticate"),
                        get("198.51.100.7", "/ext", "X-Token: broken\r\n", "www-authenticate")));
        assertEquals(List.of("GET /check?x=1 HTTP/1.1", "host: 127.0.0.1", "x-auth-request-redirect: /ext/a?b=c",
                        "x-auth-request-user: mallory", "x-forwarded-for: 198.51.100.7", "x-original-method: GET",
                        "x-original-url: http://access.test/ext/a?b=c", "x-real-ip: 198.51.100.7", "x-request-id: it-1",
                        "x-sent-from: nginx-ingress-controller", "x-token: good"),
                received(auth.received().get(asked).request()),
                "what ingress-nginx's auth location sends, less the identity fields an untrusted client forged");
        assertEquals("[alice]", backend.received().get(before).request().all("x-auth-request-user").toString());
    }

    /** A request as a server received it: its start line, then every field as "name: value", sorted. */
    private static List<String> received(RawHttp.Message m) {
        List<String> fields = new ArrayList<>();
        m.fields().forEach(f -> fields.add(f.name().toLowerCase(java.util.Locale.ROOT) + ": " + f.value()));
        fields.sort(null);
        List<String> out = new ArrayList<>(List.of(m.startLine()));
        out.addAll(fields);
        return out;
    }

    @Test
    void theServicesCookieReachesTheClientOnTheBackendsAnswer() throws IOException {
        assertEquals(List.of("200", "session=renewed; Path=/"), get("198.51.100.7", "/ext", "X-Token: renew\r\n", "set-cookie"));
    }

    @Test
    void aFieldTheServiceDidNotSetIsRemovedSoAClientCannotSendIt() throws IOException {
        int before = backend.received().size();
        assertEquals(List.of("200"), get("198.51.100.7", "/ext", "X-Token: anonymous\r\nX-Auth-Request-User: mallory\r\n"));
        assertEquals("[]", backend.received().get(before).request().all("x-auth-request-user").toString());
    }

    @Test
    void a401WithSigninRedirectsWithTheOriginalUrl() throws IOException {
        int asked = auth.received().size();
        assertEquals(List.of("302", "https://login.example/start?rd=http://access.test/signin/x%3Fa%3D1%26b%3D2",
                        "csrf=x; Path=/"),
                get("198.51.100.7", "/signin/x?a=1&b=2", "X-Request-ID: it-2\r\n", "location", "set-cookie"));
        assertEquals(List.of("POST /check HTTP/1.1", "host: 127.0.0.1", "x-auth-request-redirect: https://app.example/",
                        "x-forwarded-for: 198.51.100.7", "x-original-method: GET", "x-original-uri: /signin/x?a=1&b=2",
                        "x-original-url: http://access.test/signin/x?a=1&b=2", "x-real-ip: 198.51.100.7",
                        "x-request-id: it-2", "x-scheme: http", "x-sent-from: nginx-ingress-controller"),
                received(auth.received().get(asked).request()));
    }

    @Test
    void aSilentAuthServiceTimesOutWith500WithoutHoldingTheEventLoop() throws Exception {
        // Counted before the request starts: it may reach the service before the next line runs.
        int asked = auth.received().size();
        java.util.concurrent.CompletableFuture<List<String>> slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return get("198.51.100.7", "/ext", "X-Token: slow\r\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Await.until("the slow request to reach the auth service", WAIT, () -> auth.received().size() > asked);
        // The node has one event loop: this request is served while the other waits for its auth service.
        assertEquals(List.of("200"), get("198.51.100.7", "/open", ""));
        assertEquals(List.of("500"), slow.get(20, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void anAnswerTheCacheRulesNameIsRememberedPerKeyAndOthersAreAskedEachTime() throws IOException {
        int asked = auth.received().size();
        assertEquals(List.of(List.of("200"), List.of("200"), List.of("401"), List.of("401"),
                        List.of("200", "session=renewed; Path=/"), List.of("200", "session=renewed; Path=/")),
                List.of(get("198.51.100.7", "/cached", "X-Token: good\r\n"),
                        get("198.51.100.7", "/cached", "X-Token: good\r\n"),
                        get("198.51.100.7", "/cached", "X-Token: other\r\n"),
                        get("198.51.100.7", "/cached", "X-Token: other\r\n"),
                        get("198.51.100.7", "/cached", "X-Token: renew\r\n", "set-cookie"),
                        get("198.51.100.7", "/cached", "X-Token: renew\r\n", "set-cookie")));
        assertEquals(5, auth.received().size() - asked,
                "one question for the remembered 200, one per 401 (not remembered), one per 200 that sets a cookie "
                        + "(nginx's proxy_cache keeps none)");
    }
}
