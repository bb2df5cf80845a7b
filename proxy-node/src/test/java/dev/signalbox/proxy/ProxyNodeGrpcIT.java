package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.GrpcBackend;
import dev.signalbox.testing.Ports;
import dev.signalbox.testing.TestCerts;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import com.google.common.util.concurrent.ListenableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the real proxy, with grpc-java on both sides: clients over h2c with prior knowledge on the HTTP
 * port and over TLS (h2 by ALPN) on the HTTPS port; backends spoken to as backend-protocol GRPC (h2c) and GRPCS
 * (h2 over TLS, verified against the test CA). Snapshots are published directly, as the compiler would. Fails if
 * Netty reports a leak.
 */
class ProxyNodeGrpcIT {
    static {
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TestCerts.Cert CA = TestCerts.ca("grpc-ca");

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static long version;
    private static GrpcBackend plain;
    private static GrpcBackend tls;
    private static GrpcBackend mux;
    private static EarlyAnswerBackend early;
    private static ProxyNode node;
    private static ManagedChannel h2c;
    private static ManagedChannel overTls;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-node-grpc-it", 4096);
        plain = GrpcBackend.start("plain");
        tls = GrpcBackend.startTls("tls", TestCerts.issuedBy(CA, "grpc.ns.svc"));
        mux = GrpcBackend.start("mux");
        early = EarlyAnswerBackend.start();
        publish(table());
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "grpc", "127.0.0.1", 0, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(5)).withHttps(0, 0, null, null));
        Await.until("node to apply version " + version, WAIT, () -> node.appliedVersion() >= version);
        h2c = GrpcBackend.plaintextChannel(node.httpPort(), "grpc.test");
        overTls = GrpcBackend.tlsChannel(node.httpsPort(), "grpc.test");
    }

    @AfterAll
    static void stop() throws Exception {
        for (ManagedChannel c : new ManagedChannel[] {h2c, overTls}) {
            if (c != null) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        NettyLeaks.closeThenAssertNone(node, publisher, plain, tls, mux, early, kafka);
    }

    private static RoutingTable table() {
        List<Backend> backends = new ArrayList<>();
        List<VirtualHost> hosts = new ArrayList<>();
        route("grpc.test", "plain", List.of(new Endpoint("127.0.0.1", plain.port())), null, backends, hosts);
        UpstreamTls verified = new UpstreamTls("grpc.ns.svc", true, "c/ns/grpc-ca", CA.certPem(), null, null);
        route("grpcs.test", "secure", List.of(new Endpoint("127.0.0.1", tls.port())), verified, backends, hosts);
        route("mux.test", "mux", List.of(new Endpoint("127.0.0.1", mux.port())), null, backends, hosts);
        route("early.test", "early", List.of(new Endpoint("127.0.0.1", early.port())), null, backends, hosts);
        route("down.test", "down", List.of(new Endpoint("127.0.0.1", Ports.free())), null, backends, hosts);
        String none = Backend.idOf("c", "ns", "none", "50051", null, Backend.HTTP2);
        backends.add(new Backend(none, "c", "ns", "none", "50051", List.of(),
                "no ready endpoints for service ns/none port 50051", null, Backend.HTTP2));
        hosts.add(new VirtualHost("none.test", List.of(new Route("/", PathMatch.PREFIX, none, "c/ns/it"))));
        hosts.sort(Comparator.comparing(VirtualHost::host));
        return new RoutingTable(hosts, null, backends, List.of(), List.of());
    }

    private static void route(String host, String service, List<Endpoint> endpoints, UpstreamTls upstreamTls,
                              List<Backend> backends, List<VirtualHost> hosts) {
        String id = Backend.idOf("c", "ns", service, "50051", upstreamTls, Backend.HTTP2);
        backends.add(new Backend(id, "c", "ns", service, "50051", endpoints, null, upstreamTls, Backend.HTTP2));
        hosts.add(new VirtualHost(host, List.of(new Route("/", PathMatch.PREFIX, id, "c/ns/it"))));
    }

    private static synchronized void publish(RoutingTable table) {
        RoutingSnapshot s = SnapshotCodec.create(++version, Instant.now(), List.of(), table);
        publisher.publish(s);
    }

    private static String say(ManagedChannel channel, String message) {
        return ClientCalls.blockingUnaryCall(channel, GrpcBackend.SAY, GrpcBackend.deadline(10_000), message);
    }

    private static List<String> count(ManagedChannel channel, int n) {
        List<String> got = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, GrpcBackend.COUNT, GrpcBackend.deadline(10_000),
                String.valueOf(n)).forEachRemaining(got::add);
        return got;
    }

    private static List<String> expectedCount(String name, int n) {
        List<String> l = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            l.add(name + ": " + i);
        }
        return l;
    }

    @Test
    void unaryAndServerStreamingCallsFromAnH2cPriorKnowledgeClientReachAGrpcBackend() {
        assertEquals("plain: hello", say(h2c, "hello"));
        assertEquals(expectedCount("plain", 50), count(h2c, 50));
    }

    @Test
    void unaryAndServerStreamingCallsOverTlsToTheProxyReachAGrpcBackend() {
        assertEquals("plain: over tls", say(overTls, "over tls"));
        assertEquals(expectedCount("plain", 20), count(overTls, 20));
    }

    @Test
    void aGrpcsBackendIsSpokenToOverTlsAndVerified() throws Exception {
        ManagedChannel c = GrpcBackend.plaintextChannel(node.httpPort(), "grpcs.test");
        try {
            assertEquals("tls: secure", say(c, "secure"));
            assertEquals(expectedCount("tls", 10), count(c, 10));
        } finally {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTrailersOnlyErrorFromTheBackendReachesTheClientAsSent() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                h2c, GrpcBackend.FAIL, GrpcBackend.deadline(10_000), "no such widget"));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("no such widget", e.getStatus().getDescription());
    }

    @Test
    void aBackendThatIsDownIsUnavailableWithTheProxysReason() throws Exception {
        ManagedChannel c = GrpcBackend.plaintextChannel(node.httpPort(), "down.test");
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> say(c, "anyone?"));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().startsWith("could not connect to backend c/ns/down:50051 h2 at"),
                    e.getStatus().toString());
        } finally {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBackendWithoutEndpointsIsUnavailableWithTheCompilersReason() throws Exception {
        ManagedChannel c = GrpcBackend.tlsChannel(node.httpsPort(), "none.test");
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> say(c, "anyone?"));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
            assertEquals("no ready endpoints for backend c/ns/none:50051 h2: no ready endpoints for service ns/none port 50051",
                    e.getStatus().getDescription());
        } finally {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void concurrentCallsShareOneConnectionToTheBackend() throws Exception {
        ManagedChannel c = GrpcBackend.plaintextChannel(node.httpPort(), "mux.test");
        try {
            // One client connection is served by one event loop of the proxy, which opens one backend connection.
            List<ListenableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(ClientCalls.futureUnaryCall(c.newCall(GrpcBackend.SAY, GrpcBackend.deadline(10_000)),
                        "call " + i));
            }
            for (int i = 0; i < 40; i++) {
                assertEquals("mux: call " + i, calls.get(i).get(10, TimeUnit.SECONDS));
            }
            assertEquals(40, mux.calls());
            assertEquals(1, mux.connections());
        } finally {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A grpc-java client's deadline through the proxy, unary and server-streaming: the call ends DEADLINE_EXCEEDED, the
     * backend's call is cancelled (the client's RST_STREAM, or the grpc-timeout the proxy passed on), and the same
     * client connection serves the next call.
     */
    @Test
    void aGrpcJavaDeadlineEndsTheCallAndTheConnectionServesTheNext() {
        for (ManagedChannel c : new ManagedChannel[] {h2c, overTls}) {
            long cancelledBefore = plain.cancelled();
            StatusRuntimeException unary = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                    c, GrpcBackend.HANG, GrpcBackend.deadline(300), "wait for me"));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, unary.getStatus().getCode(), unary.getStatus().toString());
            Await.until("the backend to see its call cancelled", WAIT, () -> plain.cancelled() > cancelledBefore);
            // A stream whose first message arrives and then nothing: the message is seen, then the deadline ends it.
            long streamsCancelledBefore = plain.cancelled();
            List<String> got = new ArrayList<>();
            StatusRuntimeException stream = assertThrows(StatusRuntimeException.class, () -> ClientCalls
                    .blockingServerStreamingCall(c, GrpcBackend.HANG_STREAM, GrpcBackend.deadline(1_000), "")
                    .forEachRemaining(got::add));
            assertEquals(List.of("plain: 1"), got);
            assertEquals(Status.Code.DEADLINE_EXCEEDED, stream.getStatus().getCode(), stream.getStatus().toString());
            Await.until("the backend to see its stream cancelled", WAIT, () -> plain.cancelled() > streamsCancelledBefore);
            assertEquals("plain: after the deadline", say(c, "after the deadline"));
        }
    }

    /**
     * grpc-java clients enforce their deadline themselves, so this call comes from a raw socket over HTTP/1.1 with a
     * grpc-timeout it does not enforce: the proxy must answer DEADLINE_EXCEEDED (trailers-only, in the headers) and
     * cancel the backend's call.
     */
    @Test
    void theProxyAnswersDeadlineExceededWhenTheBackendOverrunsGrpcTimeout() throws Exception {
        long cancelledBefore = plain.cancelled();
        byte[] message = "wait for me".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        body.write(new byte[] {0, 0, 0, (byte) message.length});
        body.write(message);
        long started = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.httpPort()), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /signalbox.test.Echo/Hang HTTP/1.1\r\nHost: grpc.test\r\nContent-Type: application/grpc\r\n"
                    + "TE: trailers\r\ngrpc-timeout: 300m\r\nContent-Length: " + body.size() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body.toByteArray());
            out.flush();
            InputStream in = s.getInputStream();
            RawHttp.Message r = RawHttp.readResponse(in, false);
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(200, r.status(), r.startLine());
            assertEquals("application/grpc", r.get("content-type"));
            assertEquals("4", r.get("grpc-status"), String.valueOf(r.fields()));
            assertTrue(r.get("grpc-message").startsWith("deadline exceeded: backend c/ns/plain:50051 h2 at 127.0.0.1:"),
                    r.get("grpc-message"));
            assertTrue(tookMs >= 300, "answered after " + tookMs + " ms");
        }
        Await.until("the backend to see its call cancelled", WAIT, () -> plain.cancelled() > cancelledBefore);
    }

    /**
     * RFC 9113 8.1: a backend may answer a call in full before it has read the request, then reset its stream with
     * NO_ERROR (nginx does, when it does not need the body). The request body the proxy still had to send then has
     * nowhere to go; that must not cost the client the answer. The client's window of 0 holds the response's DATA in
     * the proxy, so the trailers are still unread from the backend's stream when the client's body arrives.
     */
    @Test
    void aCallTheBackendAnswersBeforeReadingTheBodyReachesTheClientWhole() throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            Http2Headers head = new DefaultHttp2Headers().method("POST").scheme("http").authority("early.test")
                    .path("/signalbox.test.Echo/Say");
            head.set("content-type", "application/grpc");
            head.set("te", "trailers");
            H2Stream call = H2Stream.open(group, node.httpPort(), false, head,
                    Http2Settings.defaultSettings().initialWindowSize(0));
            assertEquals("200", call.status.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            Await.until("the backend to have reset its stream", WAIT, () -> early.resets() == 1);
            byte[] message = "too late".getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(new byte[] {0, 0, 0, 0, (byte) message.length});
            body.write(message);
            call.end(body.toByteArray());
            call.openWindow(65_535);
            CompletableFuture.anyOf(call.trailers, call.reset).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(!call.reset.isDone(), "the proxy reset the client's stream, error " + call.reset.getNow(null));
            assertEquals("0", String.valueOf(call.trailers.getNow(null).get("grpc-status")));
            assertEquals(new String(EarlyAnswerBackend.ANSWER, StandardCharsets.ISO_8859_1),
                    new String(call.bytes(), StandardCharsets.ISO_8859_1));
            call.connection.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * An h2c backend that answers each call in full as soon as its HEADERS arrive (a head, one message, grpc-status 0
     * in the trailers) and then resets the stream with NO_ERROR, reading none of the body.
     */
    static final class EarlyAnswerBackend implements AutoCloseable {
        static final byte[] ANSWER = {0, 0, 0, 0, 5, 'e', 'a', 'r', 'l', 'y'};
        private final io.netty.channel.EventLoopGroup group;
        private final io.netty.channel.Channel server;
        private final java.util.concurrent.atomic.AtomicInteger resets = new java.util.concurrent.atomic.AtomicInteger();

        private EarlyAnswerBackend() throws InterruptedException {
            group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
            server = new io.netty.bootstrap.ServerBootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                    .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                        @Override
                        protected void initChannel(io.netty.channel.Channel ch) {
                            ch.pipeline().addLast(io.netty.handler.codec.http2.Http2FrameCodecBuilder.forServer().build());
                            ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                                    if (msg instanceof io.netty.handler.codec.http2.Http2HeadersFrame h
                                            && h.headers().method() != null) {
                                        answer(ctx, h.stream());
                                    }
                                    io.netty.util.ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
        }

        static EarlyAnswerBackend start() throws InterruptedException {
            return new EarlyAnswerBackend();
        }

        private void answer(io.netty.channel.ChannelHandlerContext ctx, io.netty.handler.codec.http2.Http2FrameStream s) {
            ctx.write(new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .set("content-type", "application/grpc")).stream(s));
            ctx.write(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(
                    io.netty.buffer.Unpooled.wrappedBuffer(ANSWER)).stream(s));
            // Flushed before the reset: DATA and trailers wait in Netty's flow controller until a flush, and a reset
            // written before it would drop them.
            ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                    .set("grpc-status", "0"), true).stream(s));
            ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2ResetFrame(
                    io.netty.handler.codec.http2.Http2Error.NO_ERROR).stream(s));
            resets.incrementAndGet();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        int resets() {
            return resets.get();
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
