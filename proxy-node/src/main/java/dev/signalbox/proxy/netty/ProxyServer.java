package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.routing.LatencyEwma;
import dev.signalbox.proxy.routing.OutlierDetector;
import dev.signalbox.proxy.routing.RateLimits;
import dev.signalbox.proxy.routing.RoutingState;
import dev.signalbox.proxy.status.NodeStatus;
import dev.signalbox.proxy.tls.TlsContexts;
import dev.signalbox.proxy.tls.UpstreamTlsContexts;
import dev.signalbox.schemas.crypto.KeyRing;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's Netty servers: the public HTTP port, the HTTPS port when configured, and the admin port, on
 * its own event loop so it answers while the proxy is saturated. Backend connections and both public
 * ports share the worker loops.
 * <p>
 * The public listeners are bound at start but accept nothing until {@link #startAccepting()} (the first
 * snapshot is applied), as Envoy warms a listener before it serves: a connection made meanwhile waits in
 * the kernel's backlog rather than getting a 404 from an empty table. {@link #drain} stops them for good.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Reads from clients of at most 32 KiB (Netty's default is 64 KiB). A request body goes to the backend in writes
     * of the size it was read in; with reads near 64 KiB a 1 MiB upload cost the proxy about 770 us of CPU, with
     * 32 KiB 430-520 us ({@code bin/ingress perf --cases 4}, docs/benchmarks.md, 2026-12-07; 16 KiB was about as good,
     * 8 KiB worse). Seen with the larger writes: the backend connections limited by the receiver's window most of
     * the time ({@code ss -ti}: rwnd_limited 72 %, retransmissions on loopback) and about 13 kernel timers armed per
     * upload, the kernel's TCP time that dominated the profile.
     */
    static final AdaptiveRecvByteBufAllocator CLIENT_READS = new AdaptiveRecvByteBufAllocator(64, 2048, 32 * 1024);
    /** Without a snapshot by then (an empty topic, an unreachable Kafka), serve anyway: 404s say why. */
    static final Duration ACCEPT_WITHOUT_SNAPSHOT_AFTER = Duration.ofSeconds(15);

    private final Transport transport;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final EventLoopGroup admin;
    private Channel httpChannel;
    private Channel httpsChannel;
    private CompletableFuture<TlsContexts> tlsReady;
    private Channel adminChannel;
    private final ClientConnections clients = new ClientConnections();

    /**
     * The server settings that do not concern routing; {@code https} is null for plain HTTP only, {@code trusted}
     * the peers whose identity fields (X-Forwarded-*) are believed, {@code ioThreads} the worker event loops (0: one
     * per available processor), {@code clients} the client timeouts and PROXY protocol setting, {@code transport} the
     * event loops' socket transport.
     */
    public record Settings(String nodeId, String bindAddress, int httpPort, int adminPort, Duration connectTimeout,
                           Duration responseTimeout, Https https, TrustedProxies trusted, int ioThreads,
                           ClientPolicy clients, Transport.Preference transport) {
    }

    /**
     * The HTTPS listener. It is bound at start like the others, but accepts only once {@code contexts} is
     * complete: the caller completes it when the TLS set-up is done and holds the applied snapshot's
     * certificates, which may be after plain HTTP is served (a connection waits in the backlog meanwhile).
     *
     * @param port       the port to bind, 0 for any
     * @param publicPort the port redirects name, 0 for the bound one
     */
    public record Https(int port, int publicPort, CompletableFuture<TlsContexts> contexts) {
    }

    private ProxyServer(Transport transport, String nodeId, int ioThreads) {
        this.transport = transport;
        this.acceptor = transport.newGroup(1, "signalbox-proxy-accept-" + nodeId);
        this.workers = transport.newGroup(ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors(),
                "signalbox-proxy-io-" + nodeId);
        this.admin = transport.newGroup(1, "signalbox-proxy-admin-" + nodeId);
    }

    public static ProxyServer start(Settings settings, RoutingState routing, ProxyMetrics metrics, NodeStatus status,
                                    OutlierDetector outliers, UpstreamTlsContexts upstreamTls, KeyRing keys) {
        Transport transport = Transport.of(settings.transport());
        String whyNot = Transport.whyNotFaster(transport);
        LOG.info("using the {} transport (--transport {}){}", transport.name(), settings.transport(),
                whyNot.isEmpty() ? "" : "; " + whyNot);
        ProxyServer server = new ProxyServer(transport, settings.nodeId(), settings.ioThreads());
        metrics.activeConnections(server.clients::size);
        try {
            BackendConnector connector = new BackendConnector(transport, server.workers, settings.connectTimeout(),
                    metrics, upstreamTls);
            AccessGate access = new AccessGate(keys, connector, settings.responseTimeout());
            int redirectPort = 443;
            // One for the node, both listeners: a client's rate is the same whichever port it uses.
            RateLimits rateLimits = new RateLimits();
            LatencyEwma latency = new LatencyEwma();
            Https https = settings.https();
            if (https != null) {
                Frontend tls = new Frontend(routing, connector, metrics, settings.responseTimeout(), true, 0, outliers,
                        settings.trusted(), settings.clients(), rateLimits, latency, access);
                server.httpsChannel = new ServerBootstrap()
                        .group(server.acceptor, server.workers)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.AUTO_READ, false)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        // Read freely through the handshake; HttpsInitializer turns it off for HTTP/1.1.
                        .childOption(ChannelOption.AUTO_READ, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.RCVBUF_ALLOCATOR, CLIENT_READS)
                        // Accepted only once the contexts are complete (see startAccepting), so join() does not wait.
                        .childHandler(server.clients.tracking(new HttpsInitializer(https.contexts()::join, tls)))
                        .bind(settings.bindAddress(), https.port()).syncUninterruptibly().channel();
                server.tlsReady = https.contexts();
                redirectPort = https.publicPort() > 0 ? https.publicPort() : server.httpsPort();
                LOG.info("HTTPS on {}, redirects name port {}", server.httpsChannel.localAddress(), redirectPort);
            }
            Frontend plain = new Frontend(routing, connector, metrics, settings.responseTimeout(), false, redirectPort,
                    outliers, settings.trusted(), settings.clients(), rateLimits, latency, access);
            server.httpChannel = new ServerBootstrap()
                    .group(server.acceptor, server.workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.AUTO_READ, false)
                    // A restarted node binds the port its predecessor left, despite that one's TIME_WAIT connections.
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, CLIENT_READS)
                    .childHandler(server.clients.tracking(new FrontendInitializer(plain)))
                    .bind(settings.bindAddress(), settings.httpPort()).syncUninterruptibly().channel();
            server.adminChannel = new ServerBootstrap()
                    .group(server.admin)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new AdminInitializer(routing, metrics, status))
                    .bind(settings.bindAddress(), settings.adminPort()).syncUninterruptibly().channel();
            LOG.info("proxy listening on {} (accepting once a snapshot is applied), admin on {}",
                    server.httpChannel.localAddress(), server.adminChannel.localAddress());
            server.acceptor.schedule(server::startAccepting, ACCEPT_WITHOUT_SNAPSHOT_AFTER.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The socket transport the event loops use: io_uring, epoll or nio. */
    public String transport() {
        return transport.name();
    }

    public int httpPort() {
        return ((InetSocketAddress) httpChannel.localAddress()).getPort();
    }

    /** The bound HTTPS port, or 0 when HTTPS is not served. */
    public int httpsPort() {
        return httpsChannel == null ? 0 : ((InetSocketAddress) httpsChannel.localAddress()).getPort();
    }

    public int adminPort() {
        return ((InetSocketAddress) adminChannel.localAddress()).getPort();
    }

    /** Lets the public listeners accept connections, HTTPS once its contexts are complete; idempotent. */
    public void startAccepting() {
        accept(httpChannel);
        if (httpsChannel != null) {
            tlsReady.thenRun(() -> accept(httpsChannel));
        }
    }

    private static void accept(Channel c) {
        if (c != null && c.isOpen() && !c.config().isAutoRead()) {
            c.config().setAutoRead(true);
        }
    }

    /**
     * Graceful shutdown of the public side: closes the listening sockets (new connections are refused),
     * closes idle client connections, lets requests under way finish with {@code Connection: close}, and
     * waits until every client connection is closed or {@code timeout} passed. The admin port keeps
     * answering. Returns how many client connections were still open at the end.
     */
    public int drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Channel c : new Channel[] {httpChannel, httpsChannel}) {
            if (c != null) {
                c.close().syncUninterruptibly();
            }
        }
        clients.drain();
        clients.awaitClosed(deadline);
        int left = clients.size();
        clients.closeRemaining();
        return left;
    }

    /** Stops accepting, then closes every connection and stops the event loops, waiting for them. */
    @Override
    public void close() {
        for (Channel c : new Channel[] {httpChannel, httpsChannel, adminChannel}) {
            if (c != null) {
                c.close().syncUninterruptibly();
            }
        }
        List<Future<?>> stopping = List.of(
                acceptor.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                workers.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                admin.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        for (Future<?> f : stopping) {
            f.awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis() * 2);
        }
    }
}
