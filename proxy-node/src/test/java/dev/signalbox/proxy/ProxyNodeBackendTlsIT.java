package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.TestCerts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTPS to backends against a real broker: one backend speaks TLS only and REQUIRES a client certificate
 * issued by the test CA (JDK HttpsServer, needClientAuth), and echoes the client certificate's subject.
 * Snapshots are published directly, as the compiler would, each host naming the same endpoint with other
 * TLS settings. Fails if Netty reports a leak.
 */
class ProxyNodeBackendTlsIT {
    static {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final KeyRing KEYS = KeyRing.of(Map.of("test-key", new byte[32]), null);
    private static final KeyRing OTHER_KEYS = KeyRing.of(Map.of("elsewhere", new byte[32]), null);
    private static final String SECRET = "c/ns/backend-client";
    private static final TestCerts.Cert CA = TestCerts.ca("backend-ca");
    private static final TestCerts.Cert OTHER_CA = TestCerts.ca("other-ca");
    private static final TestCerts.Cert CLIENT = TestCerts.issuedBy(CA, "proxy.signalbox.test");
    private static final HttpClient CLIENT_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static long version;
    private static EchoBackend backend;
    private static ProxyNode node;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-backend-tls-it", 4096);
        backend = EchoBackend.startMutualTls("mtls", TestCerts.issuedBy(CA, "secure.ns.svc"), CA.cert());
        publish(table());
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "btls", "127.0.0.1", 0, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(5)).withKeys(KEYS));
        Await.until("node to apply version " + version, WAIT, () -> node.appliedVersion() >= version);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, backend, kafka);
    }

    private static UpstreamTls tls(String serverName, boolean verify, TestCerts.Cert ca, boolean clientCert, KeyRing ring) {
        return new UpstreamTls(serverName, verify, SECRET, verify ? ca.certPem() : null,
                clientCert ? CLIENT.certPem() : null,
                clientCert ? ring.seal(CLIENT.keyPem().getBytes(StandardCharsets.US_ASCII), SECRET) : null);
    }

    /** Every host routes / to the same mTLS endpoint, each with other settings. */
    private static RoutingTable table() {
        Endpoint ep = new Endpoint("127.0.0.1", backend.port());
        Map<String, UpstreamTls> hosts = new LinkedHashMap<>();
        hosts.put("mtls.test", tls("secure.ns.svc", true, CA, true, KEYS));
        hosts.put("unverified.test", tls("anything.example", false, CA, true, KEYS));
        hosts.put("no-client-cert.test", tls("secure.ns.svc", true, CA, false, KEYS));
        hosts.put("wrong-ca.test", tls("secure.ns.svc", true, OTHER_CA, true, KEYS));
        hosts.put("wrong-name.test", tls("other.ns.svc", true, CA, true, KEYS));
        hosts.put("foreign-key.test", tls("secure.ns.svc", true, CA, true, OTHER_KEYS));
        hosts.put("plain.test", null);
        List<Backend> backends = new ArrayList<>();
        List<VirtualHost> vhosts = new ArrayList<>();
        hosts.forEach((host, t) -> {
            String id = Backend.idOf("c", "ns", "secure-" + host, "443", t);
            backends.add(new Backend(id, "c", "ns", "secure-" + host, "443", List.of(ep), null, t));
            vhosts.add(new VirtualHost(host, List.of(new Route("/", PathMatch.PREFIX, id, "c/ns/it"))));
        });
        UpstreamTls broken = tls("secure.ns.svc", true, CA, false, KEYS);
        String brokenId = Backend.idOf("c", "ns", "broken", "443", broken);
        backends.add(new Backend(brokenId, "c", "ns", "broken", "443", List.of(),
                "HTTPS to the backend is not set up: TLS secret ns/gone does not exist", broken));
        vhosts.add(new VirtualHost("broken.test", List.of(new Route("/", PathMatch.PREFIX, brokenId, "c/ns/it"))));
        vhosts.sort(java.util.Comparator.comparing(VirtualHost::host));
        return new RoutingTable(vhosts, null, backends, List.of(), List.of());
    }

    private static synchronized void publish(RoutingTable table) {
        RoutingSnapshot s = SnapshotCodec.create(++version, Instant.now(), List.of(), table);
        publisher.publish(s);
    }

    private static String get(String host) {
        HttpResponse<String> r = Http.get(node.httpPort(), host, "/hello");
        return r.statusCode() + " " + r.body().strip();
    }

    @Test
    void withTheClientCertificateTheRequestReachesTheBackendWhichSawItsSubject() {
        HttpResponse<String> r = Http.get(node.httpPort(), "mtls.test", "/hello");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("client-subject: CN=proxy.signalbox.test\n"), r.body());
        assertTrue(r.body().contains("uri: /hello\n"), r.body());
    }

    @Test
    void withoutVerificationTheClientCertificateIsStillPresented() {
        HttpResponse<String> r = Http.get(node.httpPort(), "unverified.test", "/hello");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("client-subject: CN=proxy.signalbox.test\n"), r.body());
    }

    @Test
    void withoutAClientCertificateTheBackendRefusesAnd502SaysWhy() {
        String r = get("no-client-cert.test");
        assertTrue(r.startsWith("502 TLS with backend c/ns/secure-no-client-cert.test:443 tls:secure.ns.svc,verify,"
                + "secret=ns/backend-client at 127.0.0.1:" + backend.port() + " failed: "), r);
        // Either the backend's alert (certificate_required, RFC 8446 4.4.2.4) reached us, or it just closed.
        assertTrue(r.contains("the backend asked for a client certificate, none is configured")
                || r.contains("certificate_required"), r);
    }

    @Test
    void aBackendCertificateFromAnotherCaIs502() {
        String r = get("wrong-ca.test");
        assertTrue(r.startsWith("502 TLS with backend c/ns/secure-wrong-ca.test:443"), r);
        assertTrue(r.contains("PKIX path"), r);
    }

    @Test
    void aBackendCertificateForAnotherNameIs502() {
        String r = get("wrong-name.test");
        assertTrue(r.startsWith("502 TLS with backend c/ns/secure-wrong-name.test:443"), r);
        assertTrue(r.contains("other.ns.svc"), r);
    }

    @Test
    void aClientKeyThisNodeCannotOpenIs502AndANodeDiagnostic() throws Exception {
        String r = get("foreign-key.test");
        assertTrue(r.startsWith("502 TLS with backend c/ns/secure-foreign-key.test:443"), r);
        assertTrue(r.contains("the client key of secret c/ns/backend-client cannot be opened"), r);
        String routes = admin("/routes");
        assertTrue(routes.contains("the client key of secret c/ns/backend-client cannot be opened"), routes);
    }

    @Test
    void brokenSettingsFromTheCompilerAre503WithTheReason() {
        assertEquals("503 backend c/ns/broken:443 tls:secure.ns.svc,verify,secret=ns/backend-client cannot be used: "
                + "HTTPS to the backend is not set up: TLS secret ns/gone does not exist", get("broken.test"));
    }

    @Test
    void aPlainRouteToTheSameEndpointNeverReusesAPooledTlsConnection() {
        // Leaves an idle TLS connection to the endpoint in the pool of some event loop; repeat so every loop has one.
        for (int i = 0; i < 8; i++) {
            assertEquals(200, Http.get(node.httpPort(), "mtls.test", "/warm").statusCode());
        }
        String r = get("plain.test");
        assertTrue(r.startsWith("502 "), r);
    }

    @Test
    void handshakeFailuresAreCountedAsTlsUpstreamErrors() throws Exception {
        get("wrong-ca.test");
        String metrics = admin("/metrics");
        assertTrue(dev.signalbox.testing.PrometheusText.parse(metrics).value("signalbox_upstream_errors_total", "route",
                "wrong-ca.test/", "kind", "tls_handshake") >= 1, metrics);
    }

    private static String admin(String path) throws Exception {
        return CLIENT_HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
