package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.ClientAuth;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.RawBackend;
import dev.signalbox.testing.TestCerts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client certificates (ingress-nginx's auth-tls-* settings, as the compiler puts them in a TLS binding) through a
 * real node: for each verify mode (on, optional, optional_no_ca, off) a client with a good, an expired, an
 * unknown CA's and no certificate, what it is answered and what the backend is told; the error page (a URL and a
 * path), a host whose
 * CA could not be read, spoofed ssl-client-* fields and a request whose Host needs another SNI.
 */
class ProxyNodeClientCertificateIT {
    static {
        NettyLeaks.install();
    }

    private static final KeyRing KEYS = KeyRing.of(Map.of("test-key", new byte[32]), null);
    private static final TestCerts.Cert CA = TestCerts.ca("clients");
    private static final TestCerts.Cert OTHER_CA = TestCerts.ca("strangers");
    private static final TestCerts.Cert SERVER_CA = TestCerts.ca("servers");
    private static final TestCerts.Cert GOOD = TestCerts.issuedBy(CA, "alice");
    private static final TestCerts.Cert EXPIRED = TestCerts.issuedBy(CA, Instant.now().minus(Duration.ofDays(30)),
            Instant.now().minus(Duration.ofDays(1)), "old");
    private static final TestCerts.Cert UNKNOWN = TestCerts.issuedBy(OTHER_CA, "mallory");

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static RawBackend backend;
    private static ProxyNode node;

    private static TlsBinding binding(String host, ClientAuth auth) {
        TestCerts.Cert server = TestCerts.issuedBy(SERVER_CA, host);
        String secret = "c/default/" + host;
        return new TlsBinding(host, secret, server.certPem(),
                KEYS.seal(server.keyPem().getBytes(StandardCharsets.US_ASCII), secret), auth);
    }

    private static ClientAuth auth(ClientAuth.Verify verify, boolean pass, String errorPage) {
        return new ClientAuth("c/default/client-ca", CA.certPem(), verify, 1, pass, errorPage, null);
    }

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-mtls-it", 4096);
        backend = RawBackend.start(r -> RawBackend.ok("ok"));
        Backend be = new Backend(Backend.idOf("c", "default", "raw", "80"), "c", "default", "raw", "80",
                List.of(new Endpoint("127.0.0.1", backend.port())), null);
        List<String> hosts = List.of("on.test", "optional.test", "noca.test", "off.test", "page.test", "pagepath.test", "broken.test",
                "plain.test", "localhost");
        List<VirtualHost> vhosts = new ArrayList<>();
        for (String h : hosts) {
            vhosts.add(new VirtualHost(h, List.of(new Route("/", PathMatch.PREFIX, be.id(), "c/default/it"))));
        }
        vhosts.sort(java.util.Comparator.comparing(VirtualHost::host));
        List<TlsBinding> tls = List.of(
                binding("localhost", auth(ClientAuth.Verify.ON, false, null)),
                binding("broken.test", new ClientAuth("c/default/gone", null, ClientAuth.Verify.ON, 1, false, null,
                        "CA secret default/gone does not exist")),
                binding("noca.test", auth(ClientAuth.Verify.OPTIONAL_NO_CA, true, null)),
                binding("off.test", auth(ClientAuth.Verify.OFF, false, null)),
                binding("on.test", auth(ClientAuth.Verify.ON, false, null)),
                binding("optional.test", auth(ClientAuth.Verify.OPTIONAL, false, null)),
                binding("page.test", auth(ClientAuth.Verify.ON, false, "https://errors.example/cert")),
                binding("pagepath.test", auth(ClientAuth.Verify.ON, false, "/cert-error?from=tls")),
                binding("plain.test", null));
        publisher.publish(SnapshotCodec.create(1, Instant.now(), List.of(),
                new RoutingTable(vhosts, null, List.of(be), tls, List.of())));
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "mtls", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(5)).withHttps(0, 0, null, null).withKeys(KEYS));
        Await.until("the node to apply version 1", Duration.ofSeconds(20), () -> node.appliedVersion() >= 1);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, backend, kafka);
    }

    /** One request over TLS with SNI {@code sni} and Host {@code host}: the answer and the backend's identity fields. */
    private static String request(TestCerts.Cert cert, String sni, String host, String extraFields) throws Exception {
        return requestWith(TestCerts.presenting(cert, SERVER_CA.cert()), sni, host, extraFields);
    }

    private static String requestWith(javax.net.ssl.SSLContext client, String sni, String host, String extraFields)
            throws Exception {
        int before = backend.received().size();
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.httpsPort()), 5000);
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(sni)));
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + extraFields + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
            if (m.status() != 200) {
                return m.status() + (m.get("location") != null ? " " + m.get("location") : "") + " " + m.bodyText().trim();
            }
            RawHttp.Message seen = backend.received().get(before).request();
            return "200 " + seen.all("ssl-client-verify") + " " + seen.all("ssl-client-subject-dn") + " "
                    + seen.all("ssl-client-issuer-dn") + (seen.get("ssl-client-cert") == null ? "" : " cert");
        }
    }

    private static String request(TestCerts.Cert cert, String host) throws Exception {
        return request(cert, host, host, "");
    }

    @Test
    void eachVerifyModeAnswersAGoodAnExpiredAnUnknownAndNoCertificateAsIngressNginxDoes() throws Exception {
        List<String> got = new ArrayList<>();
        for (String host : List.of("on.test", "optional.test", "noca.test", "off.test")) {
            for (TestCerts.Cert c : new TestCerts.Cert[] {GOOD, EXPIRED, UNKNOWN, null}) {
                got.add(host + " " + (c == null ? "none" : c == GOOD ? "good" : c == EXPIRED ? "expired" : "unknown")
                        + ": " + request(c, host));
            }
        }
        assertEquals(List.of(
                "on.test good: 200 [SUCCESS] [CN=alice] [CN=clients]",
                "on.test expired: 400 The SSL certificate error (certificate has expired)",
                "on.test unknown: 400 The SSL certificate error (unable to get local issuer certificate)",
                "on.test none: 400 No required SSL certificate was sent",
                "optional.test good: 200 [SUCCESS] [CN=alice] [CN=clients]",
                "optional.test expired: 400 The SSL certificate error (certificate has expired)",
                "optional.test unknown: 400 The SSL certificate error (unable to get local issuer certificate)",
                "optional.test none: 200 [NONE] [] []",
                "noca.test good: 200 [SUCCESS] [CN=alice] [CN=clients] cert",
                "noca.test expired: 200 [FAILED:certificate has expired] [CN=old] [CN=clients] cert",
                "noca.test unknown: 200 [FAILED:unable to get local issuer certificate] [CN=mallory] [CN=strangers] cert",
                "noca.test none: 200 [NONE] [] []",
                "off.test good: 200 [NONE] [] []",
                "off.test expired: 200 [NONE] [] []",
                "off.test unknown: 200 [NONE] [] []",
                "off.test none: 200 [NONE] [] []"), got);
    }

    @Test
    void thePassedCertificateIsTheClientsPemUrlEscaped() throws Exception {
        int before = backend.received().size();
        request(GOOD, "noca.test");
        String escaped = backend.received().get(before).request().get("ssl-client-cert");
        assertTrue(escaped.startsWith("-----BEGIN%20CERTIFICATE-----%0A"), escaped);
        // nginx's $ssl_client_escaped_cert escapes base64's '+', '/' and '=' too: only unreserved characters stay.
        assertTrue(escaped.matches("[A-Za-z0-9._~%-]+"), escaped);
        String pem = URLDecoder.decode(escaped, StandardCharsets.US_ASCII);
        X509Certificate decoded = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(GOOD.cert(), decoded);
    }

    @Test
    void aFailedCertificateIsRedirectedToTheErrorPage() throws Exception {
        assertEquals("302 https://errors.example/cert No required SSL certificate was sent; see https://errors.example/cert",
                request(null, "page.test"));
        assertTrue(request(GOOD, "page.test").startsWith("200 [SUCCESS]"));
    }

    @Test
    void anErrorPageThatIsAPathIsServedInPlaceAsNginxsInternalRedirect() throws Exception {
        int before = backend.received().size();
        assertEquals("200 [NONE] [] []", request(null, "pagepath.test"));
        assertEquals("200 [FAILED:certificate has expired] [CN=old] [CN=clients]", request(EXPIRED, "pagepath.test"));
        assertEquals(List.of("GET /cert-error?from=tls HTTP/1.1", "GET /cert-error?from=tls HTTP/1.1"),
                backend.received().subList(before, before + 2).stream().map(r -> r.request().startLine()).toList());
        // A request with a body is redirected instead (its body is not dropped in the proxy); the GET that follows is
        // served in place, as above.
        assertEquals("302 /cert-error?from=tls No required SSL certificate was sent; see /cert-error?from=tls",
                request(null, "pagepath.test", "pagepath.test", "Content-Length: 4\r\n"));
        assertEquals(before + 2, backend.received().size());
        assertTrue(request(GOOD, "pagepath.test").startsWith("200 [SUCCESS]"));
    }

    @Test
    void aHostWhoseCaCouldNotBeReadRefusesTls() {
        // A client trusting any certificate: the default certificate would do for it, but there is none to have.
        assertThrows(IOException.class, () -> requestWith(TestCerts.trustingAll(), "broken.test", "broken.test", ""));
    }

    @Test
    void clientCertificateFieldsFromTheClientAreNeverBelieved() throws Exception {
        String spoof = "ssl-client-verify: SUCCESS\r\nssl-client-subject-dn: CN=admin\r\nSSL-Client-Cert: x\r\n";
        assertEquals("200 [NONE] [] []", request(null, "optional.test", "optional.test", spoof));
        assertEquals("200 [] [] []", request(null, "plain.test", "plain.test", spoof));
    }

    @Test
    void http2StreamsShareTheirConnectionsVerdict() throws Exception {
        List<String> got = new ArrayList<>();
        for (TestCerts.Cert c : new TestCerts.Cert[] {GOOD, null}) {
            int before = backend.received().size();
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_2)
                    .sslContext(TestCerts.presenting(c, SERVER_CA.cert())).build();
            for (int i = 0; i < 2; i++) {
                java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("https://localhost:" + node.httpsPort() + "/h2")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                got.add(r.version() + " " + r.statusCode() + (r.statusCode() == 200
                        ? " " + backend.received().get(before + i).request().all("ssl-client-verify") : ""));
            }
        }
        assertEquals(List.of("HTTP_2 200 [SUCCESS]", "HTTP_2 200 [SUCCESS]", "HTTP_2 400", "HTTP_2 400"), got);
    }

    @Test
    void aHostNeedingClientCertificatesCannotBeReachedThroughAnotherHostsServerName() throws Exception {
        assertEquals("421 host on.test requires client certificates that this TLS connection, made for server name "
                + "plain.test, did not ask for", request(null, "plain.test", "on.test", ""));
        assertTrue(request(GOOD, "on.test", "on.test", "").startsWith("200 [SUCCESS]"));
    }
}
