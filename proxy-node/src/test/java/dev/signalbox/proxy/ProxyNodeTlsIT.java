package dev.signalbox.proxy;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.RawBackend;
import dev.signalbox.testing.TestCerts;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * TLS termination against a real broker: certificates generated here (several hosts and a wildcard) are
 * published in snapshots as the compiler does; clients are the JDK's SSLSocket and HttpClient, trusting
 * anything, so each test checks which certificate the proxy chose. Fails if Netty reports a leak.
 */
class ProxyNodeTlsIT {
    static {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final SSLContext TRUST_ALL = TestCerts.trustingAll();

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static long version;
    private static final KeyRing KEYS = KeyRing.of(Map.of("test-key", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}), null);
    private static EchoBackend echo;
    private static ProxyNode node;
    private static Cert foo;
    private static Cert bar;
    private static Cert wild;
    private static Cert secure;
    private static final HttpClient HTTP1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .sslContext(TRUST_ALL).connectTimeout(Duration.ofSeconds(5)).build();
    private static final HttpClient HTTP2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
            .sslContext(TRUST_ALL).connectTimeout(Duration.ofSeconds(5)).build();

    /** A self-signed certificate and its key, as PEM, and the certificate itself to compare with. */
    record Cert(String host, String certPem, String keyPem, X509Certificate cert) {
        static Cert generate(String host) throws Exception {
            SelfSignedCertificate ss = new SelfSignedCertificate(host, new SecureRandom(), 2048);
            try {
                return new Cert(host, Files.readString(ss.certificate().toPath()),
                        Files.readString(ss.privateKey().toPath()), ss.cert());
            } finally {
                ss.delete();
            }
        }

        TlsBinding binding(String bindingHost) {
            return sealedWith(KEYS, bindingHost);
        }

        /** The binding as the watcher and the compiler publish it: the key sealed with {@code ring}. */
        TlsBinding sealedWith(KeyRing ring, String bindingHost) {
            String secret = "c/default/tls-" + host.replace("*", "star");
            return new TlsBinding(bindingHost, secret, certPem, ring.seal(keyPem.getBytes(StandardCharsets.US_ASCII), secret));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-tls-it", 4096);
        echo = EchoBackend.start("echo");
        foo = Cert.generate("foo.test");
        bar = Cert.generate("bar.test");
        wild = Cert.generate("*.wild.test");
        secure = Cert.generate("secure.test");

        publish(table(bindings()));
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "tls", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(5)).withHttps(0, 0, null, null).withKeys(KEYS));
        awaitVersion(version);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, echo, kafka);
    }

    /** Every test certificate bound to its own host, as the tests start with. */
    private static List<TlsBinding> bindings() {
        return List.of(foo.binding("foo.test"), bar.binding("bar.test"), wild.binding("*.wild.test"),
                secure.binding("secure.test"));
    }

    private static RoutingTable table(List<TlsBinding> tls) {
        Backend be = new Backend(Backend.idOf("c", "default", "echo", "80"), "c", "default", "echo", "80",
                List.of(new Endpoint("127.0.0.1", echo.port())), null);
        List<VirtualHost> hosts = new ArrayList<>();
        for (String h : List.of("bar.test", "foo.test", "secure.test")) {
            boolean redirect = h.equals("secure.test");
            hosts.add(new VirtualHost(h, List.of(new Route("/", PathMatch.PREFIX, be.id(), "c/default/it", redirect))));
        }
        hosts.add(new VirtualHost("*.wild.test", List.of(new Route("/", PathMatch.PREFIX, be.id(), "c/default/it"))));
        hosts.add(new VirtualHost(VirtualHost.ANY_HOST, List.of(new Route("/", PathMatch.PREFIX, be.id(), "c/default/it"))));
        return new RoutingTable(hosts, null, List.of(be), tls, List.of());
    }

    private static synchronized long publish(RoutingTable table) {
        RoutingSnapshot s = SnapshotCodec.create(++version, Instant.now(), List.of(), table);
        publisher.publish(s);
        return s.version();
    }

    private static void awaitVersion(long v) {
        Await.until("node to apply version " + v, WAIT, () -> node.appliedVersion() >= v);
    }

    /** Handshakes with {@code serverName} as SNI (none if null) and returns what the proxy presented. */
    private static Handshake handshake(String serverName, String protocol) throws Exception {
        // A fresh client context each time: the JDK would otherwise resume its last session with this address.
        try (SSLSocket s = (SSLSocket) TestCerts.trustingAll().getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.httpsPort()), 5000);
            s.setSoTimeout(5000);
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
            params.setProtocols(new String[] {protocol});
            s.setSSLParameters(params);
            s.startHandshake();
            return new Handshake((X509Certificate) s.getSession().getPeerCertificates()[0], s.getSession().getProtocol());
        }
    }

    record Handshake(X509Certificate cert, String protocol) {
        String subject() {
            return cert.getSubjectX500Principal().getName();
        }
    }

    /**
     * {@code signalbox_tls_handshakes_total{result}}: a completed handshake is a success; one the client aborts (it
     * does not trust the certificate) and plain HTTP sent to the HTTPS port (no ClientHello at all) are failures.
     */
    @Test
    void handshakesAreCountedBySuccessAndFailure() throws Exception {
        double success = handshakes("success");
        double failure = handshakes("failure");
        handshake("foo.test", "TLSv1.3");
        try (SSLSocket s = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.httpsPort()), 5000);
            s.setSoTimeout(5000);
            assertThrows(javax.net.ssl.SSLHandshakeException.class, s::startHandshake, "the JDK's CAs do not trust the test certificate");
        }
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.httpsPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: foo.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            try {
                s.getInputStream().readAllBytes();
            } catch (IOException reset) {
                // The proxy closed the connection: a reset is as good as an end.
            }
        }
        Await.until("one more success and two more failures", WAIT,
                () -> handshakes("success") >= success + 1 && handshakes("failure") >= failure + 2);
    }

    private static double handshakes(String result) {
        HttpResponse<String> metrics = dev.signalbox.testing.Http.get(node.adminPort(), null, "/metrics");
        return dev.signalbox.testing.PrometheusText.parse(metrics.body()).value("signalbox_tls_handshakes_total", "result", result);
    }

    @Test
    void sniSelectsTheCertificateOfEachHostAndTheWildcard() throws Exception {
        assertEquals(foo.cert(), handshake("foo.test", "TLSv1.3").cert());
        assertEquals(bar.cert(), handshake("bar.test", "TLSv1.3").cert());
        assertEquals(bar.cert(), handshake("BAR.Test", "TLSv1.3").cert());
        Handshake w = handshake("x.wild.test", "TLSv1.3");
        assertEquals(wild.cert(), w.cert());
        assertEquals("CN=*.wild.test", w.subject());
    }

    @Test
    void tls12AndTls13AreBothTerminated() throws Exception {
        assertEquals("TLSv1.3", handshake("foo.test", "TLSv1.3").protocol());
        Handshake h12 = handshake("foo.test", "TLSv1.2");
        assertEquals("TLSv1.2", h12.protocol());
        assertEquals(foo.cert(), h12.cert());
    }

    @Test
    void anUnknownOrAbsentServerNameGetsTheDefaultCertificate() throws Exception {
        for (String name : new String[] {"unknown.test", "a.b.wild.test", null}) {
            Handshake h = handshake(name, "TLSv1.3");
            assertEquals("CN=signalbox-default.invalid", h.subject(), "SNI " + name);
        }
    }

    @Test
    void anHttpsRequestReachesTheBackendWithForwardedProtoHttps() throws Exception {
        // SNI (none: the URI host is an address) chooses the certificate; Host chooses the route.
        HttpResponse<String> r = HTTP1.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpsPort()
                + "/hello?x=1")).header("Host", "foo.test").timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("echo", r.headers().firstValue("X-Backend").orElse(""));
        assertTrue(r.body().contains("header-x-forwarded-proto: https\n"), r.body());
        assertTrue(r.body().contains("header-x-forwarded-host: foo.test\n"), r.body());
        assertTrue(r.body().contains("/hello?x=1"), r.body());
        // A route marked httpsRedirect is served, not redirected, over HTTPS.
        HttpResponse<String> s = HTTP1.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpsPort()
                + "/")).header("Host", "secure.test").timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, s.statusCode(), s.body());
    }

    @Test
    void http2IsNegotiatedByAlpnAndProxiedToTheHttp1Backend() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = HTTP2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                    + node.httpsPort() + "/h2/" + i)).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("header-x-forwarded-proto: https\n"), r.body());
            assertTrue(r.body().contains("/h2/" + i), r.body());
            assertTrue(!r.body().contains("x-http2"), r.body());
            assertTrue(r.headers().firstValue("x-signalbox-version").isPresent());
        }
        byte[] body = new byte[300_000];
        HttpResponse<String> post = HTTP2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + node.httpsPort() + "/upload")).timeout(WAIT).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, post.version());
        assertEquals(200, post.statusCode(), post.body());
        assertTrue(post.body().contains("300000"), post.body());
    }

    /**
     * The streams of one HTTP/2 connection share one scheduled check of their response timeouts (ResponseTimers): each
     * stream still gets its own 504 at its own deadline (the node's 5 s), and the others are answered meanwhile.
     */
    @Test
    void overHttp2EachStreamTimesOutAtItsOwnDeadlineWhileTheOthersAreAnswered() throws Exception {
        HttpRequest stalled = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpsPort() + "/stalled"))
                .header(EchoBackend.STALL_HEADER, "9000").timeout(WAIT).GET().build();
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> first = HTTP2.sendAsync(stalled, HttpResponse.BodyHandlers.ofString());
        Thread.sleep(2_000);
        long secondStart = System.nanoTime();
        CompletableFuture<HttpResponse<String>> second = HTTP2.sendAsync(stalled, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> meanwhile = HTTP2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + node.httpsPort() + "/fast")).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, meanwhile.statusCode(), meanwhile.body());
        assertEquals(HttpClient.Version.HTTP_2, meanwhile.version());
        assertTrue(!first.isDone(), "the stalled stream is still waiting while the other is answered");

        HttpResponse<String> firstAnswer = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long firstMs = (System.nanoTime() - start) / 1_000_000;
        HttpResponse<String> secondAnswer = second.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long secondMs = (System.nanoTime() - secondStart) / 1_000_000;
        for (HttpResponse<String> r : List.of(firstAnswer, secondAnswer)) {
            assertEquals(504, r.statusCode(), r.body());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertTrue(r.body().contains("did not respond within 5000 ms"), r.body());
        }
        // Each at its own deadline: 5 s after it was sent, not at the first stream's check (3 s into the second).
        assertTrue(firstMs >= 4_900 && firstMs < 8_000, "the first stream's 504 after " + firstMs + " ms");
        assertTrue(secondMs >= 4_900 && secondMs < 8_000, "the second stream's 504 after " + secondMs + " ms");
    }

    @Test
    void anHttp2RequestOnAPooledConnectionTheBackendClosedIsReplayedOnceOnANewOne() throws Exception {
        // Answers the first request of each connection, closes on the second without answering: a backend's
        // keep-alive timeout racing the proxy's reuse of the connection.
        try (RawBackend oneShot = RawBackend.start(r -> r.index() == 0 ? RawBackend.ok("shot " + r.connection()) : null)) {
            RoutingTable base = table(bindings());
            Backend shot = new Backend(Backend.idOf("c", "default", "one-shot", "80"), "c", "default", "one-shot", "80",
                    List.of(new Endpoint("127.0.0.1", oneShot.port())), null);
            List<VirtualHost> hosts = new ArrayList<>(base.virtualHosts());
            hosts.add(0, new VirtualHost("localhost", List.of(new Route("/", PathMatch.PREFIX, shot.id(), "c/default/it"))));
            List<Backend> backends = new ArrayList<>(base.backends());
            backends.add(shot);
            awaitVersion(publish(new RoutingTable(hosts, null, backends, base.tls(), List.of())));
            List<String> answers = new ArrayList<>();
            for (String method : List.of("GET", "GET", "HEAD", "DELETE")) {
                HttpResponse<String> r = HTTP2.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                                + node.httpsPort() + "/replay")).method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
                answers.add(r.version() + " " + method + " " + r.statusCode() + " " + r.body());
            }
            assertEquals(List.of("HTTP_2 GET 200 shot 0", "HTTP_2 GET 200 shot 1", "HTTP_2 HEAD 200 ",
                    "HTTP_2 DELETE 200 shot 3"), answers);
        } finally {
            awaitVersion(publish(table(bindings())));
        }
    }

    @Test
    void plainHttpForARouteMarkedHttpsRedirectGets308ToTheHttpsPort() throws Exception {
        HttpResponse<String> r = HTTP1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
                + "/a/b?q=1")).header("Host", "secure.test:8080").timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(308, r.statusCode());
        assertEquals("https://secure.test:" + node.httpsPort() + "/a/b?q=1", r.headers().firstValue("Location").orElse(""));
        HttpResponse<String> other = HTTP1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
                + "/")).header("Host", "foo.test").timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, other.statusCode());
    }

    @Test
    void aNewCertificateInANewSnapshotIsServedToNewHandshakesAndABrokenOneFallsBackAlone() throws Exception {
        Cert rotated = Cert.generate("foo.test");
        assertNotEquals(foo.cert(), rotated.cert());
        TlsBinding broken = new TlsBinding("bar.test", "c/default/broken",
                "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
                KEYS.seal("garbage".getBytes(StandardCharsets.US_ASCII), "c/default/broken"));
        long v = publish(table(List.of(rotated.binding("foo.test"), broken, wild.binding("*.wild.test"),
                secure.binding("secure.test"))));
        awaitVersion(v);
        assertEquals(rotated.cert(), handshake("foo.test", "TLSv1.3").cert());
        assertEquals("CN=signalbox-default.invalid", handshake("bar.test", "TLSv1.3").subject());
        assertEquals(wild.cert(), handshake("y.wild.test", "TLSv1.3").cert());
        HttpResponse<String> metrics = HTTP1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort()
                + "/metrics")).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
        dev.signalbox.testing.PrometheusText.Exposition scraped = dev.signalbox.testing.PrometheusText.parse(metrics.body());
        assertEquals(1.0, scraped.value("signalbox_tls_unusable_bindings"), metrics.body());
        // Every handshake above was counted: the HTTPS port's handshakes by result.
        assertTrue(scraped.value("signalbox_tls_handshakes_total", "result", "success") >= 3, metrics.body());

        long back = publish(table(bindings()));
        awaitVersion(back);
        assertEquals(foo.cert(), handshake("foo.test", "TLSv1.3").cert());
        assertEquals(bar.cert(), handshake("bar.test", "TLSv1.3").cert());
    }

    @Test
    void aKeySealedWithAKeyThisNodeLacksRefusesThatHostOnlyAndSaysWhy() throws Exception {
        KeyRing elsewhere = KeyRing.of(Map.of("elsewhere", new byte[32]), null);
        long v = publish(table(List.of(foo.binding("foo.test"), bar.sealedWith(elsewhere, "bar.test"),
                wild.binding("*.wild.test"), secure.binding("secure.test"))));
        awaitVersion(v);
        assertThrows(IOException.class, () -> handshake("bar.test", "TLSv1.3"));
        assertEquals(foo.cert(), handshake("foo.test", "TLSv1.3").cert());
        assertEquals("CN=signalbox-default.invalid", handshake("unknown.test", "TLSv1.3").subject());
        HttpResponse<String> routes = HTTP1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort()
                + "/routes")).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(routes.body().contains("TLS refused for bar.test (secret c/default/tls-bar.test): private key sealed with"
                + " key \\\"elsewhere\\\", which this node does not have (it has [test-key])"), routes.body());
        assertFalse(routes.body().contains("ciphertext"), routes.body());

        long back = publish(table(bindings()));
        awaitVersion(back);
        assertEquals(bar.cert(), handshake("bar.test", "TLSv1.3").cert());
    }
}
