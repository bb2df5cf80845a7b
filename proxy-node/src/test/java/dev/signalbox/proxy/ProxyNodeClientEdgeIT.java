package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.RawBackend;
import dev.signalbox.testing.TestCerts;
import dev.signalbox.rawhttp.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client side of a proxy behind a load balancer, through a real node and raw sockets: PROXY protocol v1
 * and v2 headers on the HTTP and HTTPS ports (the client address, what a missing or broken header does), the
 * identity fields from trusted and untrusted origins, and the header and keep-alive timeouts. The node trusts
 * 192.0.2.0/24, expects a PROXY header on every connection, gives a client 2 s to send a request head and
 * keeps an idle connection 4 s.
 */
class ProxyNodeClientEdgeIT {
    static {
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(4);
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static RawBackend backend;
    private static ProxyNode node;

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-edge-it", 4096);
        backend = RawBackend.start(r -> RawBackend.ok("seen " + r.index()));
        Backend be = new Backend(Backend.idOf("c", "default", "raw", "80"), "c", "default", "raw", "80",
                List.of(new Endpoint("127.0.0.1", backend.port())), null);
        RoutingSnapshot s = SnapshotCodec.create(1, Instant.now(), List.of(), new RoutingTable(
                List.of(new VirtualHost("edge.test", List.of(new Route("/", PathMatch.PREFIX, be.id(), "c/default/it")))),
                null, List.of(be), List.of(), List.of()));
        publisher.publish(s);
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "edge", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(5)).withHttps(0, 0, null, null)
                .withTrustedProxies(TrustedProxies.parse("192.0.2.0/24"))
                .withClients(new ClientPolicy(HEADER_TIMEOUT, KEEPALIVE_TIMEOUT, true)));
        Await.until("the node to apply version 1", WAIT, () -> node.appliedVersion() >= 1);
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, backend, kafka);
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(15_000);
        return s;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A v2 header: PROXY (or LOCAL) over TCP, IPv4 or IPv6 by the address length, written by hand. */
    private static byte[] v2(boolean proxy, byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        if (!proxy) {
            return concat(V2_SIGNATURE, new byte[] {0x20, 0x00, 0x00, 0x00});
        }
        boolean v4 = source.length == 4;
        ByteBuffer b = ByteBuffer.allocate(16 + 2 * source.length + 4);
        b.put(V2_SIGNATURE).put((byte) 0x21).put((byte) (v4 ? 0x11 : 0x21)).putShort((short) (2 * source.length + 4));
        b.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort);
        return b.array();
    }

    private static byte[] literal(String address) throws IOException {
        return java.net.InetAddress.getByName(address).getAddress();
    }

    /** Sends {@code bytes} on a new connection to the HTTP port, returns the response and what the backend saw. */
    private static Map<String, String> exchange(byte[] bytes) throws IOException {
        int before = backend.received().size();
        try (Socket s = connect(node.httpPort())) {
            s.getOutputStream().write(bytes);
            RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
            assertEquals(200, m.status(), m.startLine() + " " + m.bodyText());
        }
        return identity(backend.received().get(before).request());
    }

    private static Map<String, String> identity(RawHttp.Message seen) {
        Map<String, String> m = new TreeMap<>();
        for (String f : List.of("x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host",
                "x-forwarded-port")) {
            m.put(f, String.join(" | ", seen.all(f)));
        }
        return m;
    }

    /** A request whose client claims another address, scheme, host and port than the proxy sees. */
    private static final String REQUEST = "GET /who HTTP/1.1\r\nHost: edge.test\r\nX-Forwarded-For: 10.6.6.6\r\n"
            + "X-Real-IP: 10.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: spoofed.test\r\n"
            + "X-Forwarded-Port: 9999\r\nConnection: close\r\n\r\n";

    @Test
    void aV1HeaderNamesTheClientAndAnUntrustedClientCannotSpoofItsAddress() throws Exception {
        assertEquals(Map.of("x-forwarded-for", "198.51.100.7", "x-real-ip", "198.51.100.7", "x-forwarded-proto", "http",
                        "x-forwarded-host", "edge.test", "x-forwarded-port", "8443"),
                exchange(ascii("PROXY TCP4 198.51.100.7 10.0.0.1 56324 8443\r\n" + REQUEST)));
    }

    @Test
    void aTrustedClientsIdentityFieldsAreKeptAndItIsAppendedToForwardedFor() throws Exception {
        assertEquals(Map.of("x-forwarded-for", "10.6.6.6, 192.0.2.10", "x-real-ip", "10.6.6.6", "x-forwarded-proto",
                        "https", "x-forwarded-host", "spoofed.test", "x-forwarded-port", "9999"),
                exchange(ascii("PROXY TCP4 192.0.2.10 10.0.0.1 40000 80\r\n" + REQUEST)));
    }

    @Test
    void aV2HeaderOverIpv4AndIpv6NamesTheClient() throws Exception {
        assertEquals("198.51.100.8", exchange(concat(v2(true, literal("198.51.100.8"), literal("10.0.0.1"), 5000, 443),
                ascii(REQUEST))).get("x-forwarded-for"));
        assertEquals("2001:db8:0:0:0:0:0:7", exchange(concat(v2(true, literal("2001:db8::7"), literal("2001:db8::1"),
                5000, 443), ascii(REQUEST))).get("x-forwarded-for"));
    }

    @Test
    void aLocalCommandFromTheBalancersHealthCheckIsServedAsTheSocketsPeer() throws Exception {
        assertEquals("127.0.0.1", exchange(concat(v2(false, null, null, 0, 0), ascii(REQUEST))).get("x-forwarded-for"));
        assertEquals("127.0.0.1", exchange(ascii("PROXY UNKNOWN\r\n" + REQUEST)).get("x-forwarded-for"));
    }

    /** Sends {@code bytes} on a new connection and returns what came back before the proxy closed it. */
    private static String answerTo(int port, byte[] bytes) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(bytes);
            return new String(readToClose(s.getInputStream()), StandardCharsets.US_ASCII);
        }
    }

    private static byte[] readToClose(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    @Test
    void aConnectionWithoutAValidHeaderIsClosedUnansweredAndNeverReachesTheBackend() throws Exception {
        int before = backend.received().size();
        double rejected = metric("signalbox_proxy_protocol_rejected_total");
        assertEquals("", answerTo(node.httpPort(), ascii("GET /who HTTP/1.1\r\nHost: edge.test\r\n\r\n")));
        assertEquals("", answerTo(node.httpPort(), ascii("PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n" + REQUEST)));
        assertEquals("", answerTo(node.httpPort(), concat(V2_SIGNATURE, new byte[] {0x21, 0x11, 0x00, 0x02, 1, 2},
                ascii(REQUEST))));
        assertEquals("", answerTo(node.httpsPort(), ascii("GET /who HTTP/1.1\r\nHost: edge.test\r\n\r\n")));
        assertEquals(before, backend.received().size());
        assertEquals(rejected + 4, metric("signalbox_proxy_protocol_rejected_total"));
    }

    @Test
    void aConnectionThatStopsInsideItsProxyHeaderIsClosedByTheHeaderTimeout() throws Exception {
        // Nothing comes after the partial header: only the header timeout can end these (the socket waits 15 s).
        for (int port : new int[] {node.httpPort(), node.httpsPort()}) {
            assertEquals("", answerTo(port, ascii("PROXY TCP4 198.51.100.7 ")));
            assertEquals("", answerTo(port, V2_SIGNATURE));
        }
    }

    @Test
    void theHttpsPortReadsTheHeaderBeforeTheHandshake() throws Exception {
        int before = backend.received().size();
        try (Socket raw = connect(node.httpsPort())) {
            raw.getOutputStream().write(ascii("PROXY TCP6 2001:db8::9 2001:db8::1 5000 443\r\n"));
            try (SSLSocket tls = (SSLSocket) TestCerts.trustingAll().getSocketFactory()
                    .createSocket(raw, "edge.test", node.httpsPort(), true)) {
                tls.getOutputStream().write(ascii(REQUEST));
                assertEquals(200, RawHttp.readResponse(tls.getInputStream(), false).status());
            }
        }
        assertEquals(Map.of("x-forwarded-for", "2001:db8:0:0:0:0:0:9", "x-real-ip", "2001:db8:0:0:0:0:0:9",
                "x-forwarded-proto", "https", "x-forwarded-host", "edge.test", "x-forwarded-port", "443"),
                identity(backend.received().get(before).request()));
    }

    @Test
    void theHttpsPortReadsAV2HeaderBeforeTheHandshake() throws Exception {
        int before = backend.received().size();
        try (Socket raw = connect(node.httpsPort())) {
            raw.getOutputStream().write(v2(true, literal("198.51.100.9"), literal("10.0.0.1"), 5000, 443));
            try (SSLSocket tls = (SSLSocket) TestCerts.trustingAll().getSocketFactory()
                    .createSocket(raw, "edge.test", node.httpsPort(), true)) {
                tls.getOutputStream().write(ascii(REQUEST));
                assertEquals(200, RawHttp.readResponse(tls.getInputStream(), false).status());
            }
        }
        assertEquals(Map.of("x-forwarded-for", "198.51.100.9", "x-real-ip", "198.51.100.9", "x-forwarded-proto", "https",
                "x-forwarded-host", "edge.test", "x-forwarded-port", "443"), identity(backend.received().get(before).request()));
    }

    @Test
    void aClientSendingItsHeadOneByteAtATimeIsDisconnectedAfterTheHeaderTimeout() throws Exception {
        double timeouts = metric("signalbox_client_timeouts_total", "kind", "header");
        byte[] head = ascii("GET /slow HTTP/1.1\r\nHost: edge.test\r\nX-Padding: " + "p".repeat(40) + "\r\n\r\n");
        long start = System.nanoTime();
        String answer;
        try (Socket s = connect(node.httpPort())) {
            s.getOutputStream().write(ascii("PROXY TCP4 198.51.100.7 10.0.0.1 56324 80\r\n"));
            try {
                for (byte b : head) {
                    s.getOutputStream().write(b);
                    Thread.sleep(250);
                }
            } catch (SocketException closedMeanwhile) {
                // the proxy closed the connection while the head was still being sent: what is tested
            }
            answer = new String(readToClose(s.getInputStream()), StandardCharsets.US_ASCII);
        }
        long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals("", answer, "nginx answers nothing to a client that timed out");
        assertTrue(tookMillis >= HEADER_TIMEOUT.toMillis() && tookMillis < head.length * 250L,
                "closed after " + tookMillis + " ms, before the head (" + head.length * 250 + " ms) was sent");
        assertEquals(timeouts + 1, metric("signalbox_client_timeouts_total", "kind", "header"));
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheKeepaliveTimeoutNotTheHeaderTimeout() throws Exception {
        double timeouts = metric("signalbox_client_timeouts_total", "kind", "keepalive");
        String request = "GET /idle HTTP/1.1\r\nHost: edge.test\r\n\r\n";
        try (Socket s = connect(node.httpPort())) {
            s.getOutputStream().write(ascii("PROXY TCP4 198.51.100.7 10.0.0.1 56324 80\r\n" + request));
            assertEquals(200, RawHttp.readResponse(s.getInputStream(), false).status());
            // Longer than the header timeout: the idle connection is still open and serves the next request.
            Thread.sleep(HEADER_TIMEOUT.toMillis() + 1000);
            s.getOutputStream().write(ascii(request));
            assertEquals(200, RawHttp.readResponse(s.getInputStream(), false).status());
            long idleFrom = System.nanoTime();
            assertEquals(-1, s.getInputStream().read());
            long idleMillis = Duration.ofNanos(System.nanoTime() - idleFrom).toMillis();
            assertTrue(idleMillis >= KEEPALIVE_TIMEOUT.toMillis() - 200 && idleMillis < 12_000,
                    "closed after " + idleMillis + " ms idle");
        }
        assertEquals(timeouts + 1, metric("signalbox_client_timeouts_total", "kind", "keepalive"));
    }

    /** The sum of the series of {@code name} with these labels on the node's /metrics, 0 before the first. */
    private static double metric(String name, String... labels) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return dev.signalbox.testing.PrometheusText.parse(r.body()).sum(name, labels);
    }
}
