package dev.signalbox.proxy;

import dev.signalbox.proxy.kafka.SnapshotFollower;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.netty.ProxyServer;
import dev.signalbox.proxy.netty.TlsContexts;
import dev.signalbox.proxy.netty.UpstreamTlsContexts;
import dev.signalbox.proxy.routing.RoutingState;
import dev.signalbox.schemas.codec.DecodeFailures;
import dev.signalbox.schemas.kafka.SnapshotLog;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
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

    private ProxyNode(RoutingState routing, ProxyServer server, SnapshotFollower follower) {
        this.routing = routing;
        this.server = server;
        this.follower = follower;
    }

    /** Binds the ports and starts following snapshots; returns without waiting for the first one. */
    public static ProxyNode start(ProxyConfig config) {
        RoutingState routing = new RoutingState();
        ProxyMetrics metrics = new ProxyMetrics(routing::appliedVersion, DecodeFailures.SNAPSHOTS::get);
        ProxyServer.Https https = null;
        TlsContexts tls = null;
        UpstreamTlsContexts upstreamTls = new UpstreamTlsContexts(config.keys());
        if (config.https() != null) {
            tls = TlsContexts.create(config.https().defaultCertPem(), config.https().defaultKeyPem(), config.keys());
            https = new ProxyServer.Https(config.https().port(), config.https().publicPort(), tls);
            TlsContexts contexts = tls;
            metrics.tlsUnusableBindings(() -> Stream.concat(contexts.unusable().stream(),
                    upstreamTls.unusable().stream()).toList());
        } else {
            metrics.tlsUnusableBindings(upstreamTls::unusable);
        }
        ProxyServer server = ProxyServer.start(new ProxyServer.Settings(config.nodeId(), config.bindAddress(), config.httpPort(),
                config.adminPort(), config.connectTimeout(), config.responseTimeout(), https), routing, metrics,
                upstreamTls);
        try {
            SnapshotLog log = SnapshotLog.connect(config.bootstrapServers(), "signalbox-proxy-" + config.nodeId());
            TlsContexts contexts = tls;
            SnapshotFollower follower = SnapshotFollower.start(log,
                    s -> apply(config.nodeId(), routing, contexts, upstreamTls, s),
                    "signalbox-proxy-snapshots-" + config.nodeId());
            return new ProxyNode(routing, server, follower);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void apply(String nodeId, RoutingState routing, TlsContexts tls, UpstreamTlsContexts upstreamTls,
                              RoutingSnapshot s) {
        long before = routing.appliedVersion();
        if (s.version() > before) {
            // Certificates first: once the version shows as applied, new handshakes see its certificates.
            if (tls != null) {
                tls.update(s);
            }
            upstreamTls.update(s);
        }
        if (routing.apply(s)) {
            LOG.info("node {} applied snapshot version {} ({}, {} virtual hosts, {} diagnostics)", nodeId,
                    s.version(), s.contentHash(), s.table().virtualHosts().size(), s.table().diagnostics().size());
        } else {
            LOG.debug("node {} ignored snapshot version {}: version {} is applied", nodeId, s.version(), before);
        }
    }

    /** The version of the applied snapshot; 0 before the first. */
    public long appliedVersion() {
        return routing.appliedVersion();
    }

    public int httpPort() {
        return server.httpPort();
    }

    /** The bound HTTPS port, or 0 when this node serves no HTTPS. */
    public int httpsPort() {
        return server.httpsPort();
    }

    public int adminPort() {
        return server.adminPort();
    }

    @Override
    public void close() {
        try {
            follower.close();
        } finally {
            server.close();
        }
    }
}
