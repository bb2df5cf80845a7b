package dev.signalbox.proxy;

import dev.signalbox.proxy.accesslog.AccessLog;
import dev.signalbox.proxy.accesslog.AccessLogConfig;
import dev.signalbox.proxy.kafka.AckPublisher;
import dev.signalbox.proxy.kafka.SnapshotFollower;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.netty.ProxyServer;
import dev.signalbox.proxy.routing.OutlierDetector;
import dev.signalbox.proxy.routing.RoutingState;
import dev.signalbox.proxy.status.FeedHealth;
import dev.signalbox.proxy.status.NodeStatus;
import dev.signalbox.proxy.tls.ServerCertificates;
import dev.signalbox.proxy.tls.TlsContexts;
import dev.signalbox.proxy.tls.UpstreamTlsContexts;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import io.netty.util.ResourceLeakDetector;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxy node: serves HTTP from the latest routing snapshot and follows the snapshots topic. Stateless:
 * any number of nodes read the same topic without a consumer group and converge on the same version.
 */
public final class ProxyNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyNode.class);

    private final RoutingState routing;
    private final ProxyServer server;
    private final SnapshotFollower follower;
    private final NodeStatus status;
    private final AckPublisher acks;
    private AccessLog accessLog = AccessLog.OFF;

    private ProxyNode(RoutingState routing, ProxyServer server, SnapshotFollower follower, NodeStatus status,
                      AckPublisher acks) {
        this.routing = routing;
        this.server = server;
        this.follower = follower;
        this.status = status;
        this.acks = acks;
    }

    /** Binds the ports and starts following snapshots, without an access log. */
    public static ProxyNode start(ProxyConfig config) {
        return start(config, AccessLogConfig.OFF);
    }

    /** Binds the ports and starts following snapshots; returns without waiting for the first one. */
    public static ProxyNode start(ProxyConfig config, AccessLogConfig accessLogConfig) {
        RoutingState routing = new RoutingState(config.locality());
        // This node's reader of the snapshots topic; /metrics reports the records it could not decode.
        SnapshotLog log = SnapshotLog.connect(config.kafka(), "signalbox-proxy-" + config.nodeId());
        ProxyMetrics metrics = new ProxyMetrics(routing::appliedVersion, log::decodeFailures);
        metrics.snapshotDiagnostics(() -> {
            var s = routing.current().snapshot();
            return s == null ? 0 : s.table().diagnostics().size();
        });
        Clock clock = Clock.systemUTC();
        NodeStatus status = new NodeStatus(clock, new FeedHealth(clock.instant(), FeedHealth.DEFAULT_SILENCE_LIMIT));
        metrics.status(status);
        AccessLog accessLog = metrics.openAccessLog(accessLogConfig);
        OutlierDetector outliers = new OutlierDetector(OutlierDetector.Policy.DEFAULT);
        metrics.ejectedEndpoints(() -> outliers.ejectedCount(System.nanoTime()));
        UpstreamTlsContexts upstreamTls = new UpstreamTlsContexts(config.keys());
        // The TLS set-up (OpenSSL, the default certificate) costs a few hundred ms of CPU: it runs on its own
        // thread while Kafka is asked for the latest snapshot, and plain HTTP does not wait for it.
        ServerCertificates certs = config.https() == null ? null : new ServerCertificates();
        if (certs != null) {
            Thread t = new Thread(() -> {
                try {
                    certs.ready(TlsContexts.create(config.https().defaultCertPem(), config.https().defaultKeyPem(),
                            config.keys()));
                } catch (Throwable e) {
                    certs.failed(e);
                }
            }, "signalbox-proxy-tls-setup-" + config.nodeId());
            t.setDaemon(true);
            t.start();
            metrics.tlsUnusableBindings(() -> Stream.concat(certs.unusable().stream(),
                    upstreamTls.unusable().stream()).toList());
        } else {
            metrics.tlsUnusableBindings(upstreamTls::unusable);
        }
        // Applied and rejected versions, and heartbeats, for bin/ingress fleet; sent on a thread of its own.
        AckPublisher acks = new AckPublisher(config.kafka(), config.nodeId(), config.locality().cluster(),
                config.locality().zone(), clock, routing::appliedVersion,
                () -> routing.appliedVersion() > 0 && !status.draining());
        // Kafka first: finding the latest snapshot takes longest, so it runs while the ports are bound.
        CompletableFuture<ProxyServer> bound = new CompletableFuture<>();
        SnapshotFollower follower = SnapshotFollower.start(log, s -> {
            boolean first = routing.appliedVersion() == 0;
            try {
                if (apply(config.nodeId(), routing, certs, upstreamTls, s)) {
                    acks.applied(s.version());
                }
            } catch (RuntimeException e) {
                // The node keeps the table it has (the xDS NACK): the next version may be usable again.
                LOG.error("node {} rejected snapshot version {}: {}", config.nodeId(), s.version(), e.toString(), e);
                acks.rejected(s.version(), e.toString());
                return;
            }
            status.feed().applied(routing.appliedVersion(), clock.instant());
            // At once if the ports are bound, else as soon as they are.
            bound.thenAccept(server -> {
                server.startAccepting();
                if (first) {
                    // Start-up time as an operator sees it: JVM start to accepting with routes.
                    // The leak detection level too: it costs about a tenth of the CPU per request when on (DESIGN.md).
                    LOG.info("node {} serving, {} ms after the JVM started ({} ms of CPU; Netty leak detection {})",
                            config.nodeId(), ManagementFactory.getRuntimeMXBean().getUptime(), cpuMillis(),
                            ResourceLeakDetector.getLevel().name().toLowerCase(Locale.ROOT));
                    if (certs != null) {
                        certs.serving().thenRun(() -> LOG.info("node {} accepting HTTPS, {} ms after the JVM started",
                                config.nodeId(), ManagementFactory.getRuntimeMXBean().getUptime()));
                    }
                }
            });
        }, status.feed(), clock, "signalbox-proxy-snapshots-" + config.nodeId());
        ProxyServer.Https https = certs == null ? null
                : new ProxyServer.Https(config.https().port(), config.https().publicPort(), certs.serving());
        ProxyServer server;
        try {
            server = ProxyServer.start(new ProxyServer.Settings(config.nodeId(), config.bindAddress(), config.httpPort(),
                    config.adminPort(), config.connectTimeout(), config.responseTimeout(), https, config.trustedProxies(),
                    config.ioThreads(), config.clients(), config.transport()), routing, metrics, status, outliers, upstreamTls, config.keys());
        } catch (RuntimeException e) {
            follower.close();
            acks.close();
            accessLog.close();
            throw e;
        }
        bound.complete(server);
        ProxyNode node = new ProxyNode(routing, server, follower, status, acks);
        node.accessLog = accessLog;
        if (certs != null) {
            // A default certificate that does not load is a configuration error: the node does not start.
            try {
                certs.serving().join();
            } catch (RuntimeException e) {
                node.close();
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return node;
    }

    /** Applies {@code s} if it is newer than the applied version; returns whether it did. */
    private static boolean apply(String nodeId, RoutingState routing, ServerCertificates certs,
                                 UpstreamTlsContexts upstreamTls, RoutingSnapshot s) {
        long before = routing.appliedVersion();
        if (s.version() > before) {
            // Certificates first: once the version shows as applied, new handshakes see its certificates.
            if (certs != null) {
                certs.update(s);
            }
            upstreamTls.update(s);
        }
        if (routing.apply(s)) {
            LOG.info("node {} applied snapshot version {} ({}, {} virtual hosts, {} diagnostics)", nodeId,
                    s.version(), s.contentHash(), s.table().virtualHosts().size(), s.table().diagnostics().size());
            return true;
        }
        LOG.debug("node {} ignored snapshot version {}: version {} is applied", nodeId, s.version(), before);
        return false;
    }

    /** CPU time this process used so far, all threads; -1 where the JVM does not tell. */
    private static long cpuMillis() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1_000_000 : -1;
    }

    /** The version of the applied snapshot; 0 before the first. */
    public long appliedVersion() {
        return routing.appliedVersion();
    }

    public int httpPort() {
        return server.httpPort();
    }

    /** The socket transport its event loops use: io_uring, epoll or nio ({@code --transport}). */
    public String transport() {
        return server.transport();
    }

    /** The bound HTTPS port, or 0 when this node serves no HTTPS. */
    public int httpsPort() {
        return server.httpsPort();
    }

    public int adminPort() {
        return server.adminPort();
    }

    /**
     * Graceful shutdown, before {@link #close()}: /readyz turns 503, the public ports stop accepting, idle
     * client connections close, requests under way finish (their responses say {@code Connection: close}),
     * for at most {@code timeout}. Returns the client connections still open at the end.
     */
    public int drain(Duration timeout) {
        status.startDraining();
        LOG.info("draining: not ready, not accepting; waiting up to {} for requests under way", timeout);
        int left = server.drain(timeout);
        LOG.info("drained; {} client connections still open are closed now", left);
        return left;
    }

    @Override
    public void close() {
        try {
            follower.close();
        } finally {
            try {
                server.close();
            } finally {
                // Last: its STOPPED names the version served until the end.
                acks.close();
                accessLog.close();
            }
        }
    }
}
