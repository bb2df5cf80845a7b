package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.tls.UpstreamTlsContexts;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gives an exchange a connection to an endpoint: an idle one from its event loop's pool, or a new one
 * opened on that same event loop, so the inbound and backend channels never cross threads. The pool map
 * is built once and only read afterwards; each pool is touched by its own loop only. HTTP/2 backends get a
 * stream of a shared connection instead ({@link Http2Upstream}).
 */
final class BackendConnector implements Backends {
    static final String HTTP_CODEC = "http-codec";
    static final String RELAY = "relay";

    private final Transport transport;
    private final Duration connectTimeout;
    private final ProxyMetrics metrics;
    private final Map<EventExecutor, BackendPool> pools = new IdentityHashMap<>();
    private final UpstreamTlsContexts upstreamTls;
    /** Pools of TLS connections, one per loop and setting, so a plain and a TLS connection never mix. */
    private final Map<EventExecutor, Map<UpstreamTls, BackendPool>> tlsPools = new IdentityHashMap<>();
    /** HTTP/2 connections, one set per loop. */
    private final Map<EventExecutor, Http2Upstream> http2 = new IdentityHashMap<>();
    private final LongAdder idle = new LongAdder();

    BackendConnector(Transport transport, EventLoopGroup loops, Duration connectTimeout, ProxyMetrics metrics,
                     UpstreamTlsContexts upstreamTls) {
        this.transport = transport;
        this.connectTimeout = connectTimeout;
        this.metrics = metrics;
        this.upstreamTls = upstreamTls;
        metrics.upstreamIdleConnections(idle::sum);
        for (EventExecutor loop : loops) {
            pools.put(loop, new BackendPool(idle));
            tlsPools.put(loop, new HashMap<>());
            http2.put(loop, new Http2Upstream());
        }
    }

    private BackendPool pool(EventLoop loop, UpstreamTls tls) {
        return tls == null ? pool(loop) : tlsPools.get(loop).computeIfAbsent(tls, t -> new BackendPool(idle));
    }

    BackendPool pool(EventLoop loop) {
        return pools.get(loop);
    }

    @Override
    public Channel pooled(EventLoop loop, Endpoint endpoint, Upstream upstream) {
        return upstream.http2() ? http2.get(loop).stream(endpoint, upstream.tls())
                : pool(loop, upstream.tls()).poll(endpoint);
    }

    @Override
    public Future<Channel> connect(EventLoop loop, Endpoint endpoint, Upstream upstream, Duration timeout) {
        Duration t = timeout == null ? connectTimeout : timeout;
        if (upstream.http2()) {
            return http2.get(loop).connect(loop, endpoint, upstream.tls(), () -> open(loop, endpoint, upstream, t));
        }
        ChannelFuture f = open(loop, endpoint, upstream, t);
        Promise<Channel> p = loop.newPromise();
        f.addListener(done -> {
            if (done.isSuccess()) {
                p.trySuccess(f.channel());
            } else {
                p.tryFailure(done.cause());
            }
        });
        return p;
    }

    /** A new connection; it completes after the TLS handshake, if any, both within {@code timeout}. */
    private ChannelFuture open(EventLoop loop, Endpoint endpoint, Upstream upstream, Duration timeout) {
        UpstreamTls tls = upstream.tls();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.channel())
                // An HTTP/2 connection reads all the time (frames of every stream, pings, settings); each stream's
                // reads follow its exchange, and its flow-control window bounds what waits.
                .option(ChannelOption.AUTO_READ, upstream.http2())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            UpstreamTlsHandlers.addHandler(upstreamTls, ch, tls, timeout, upstream.http2());
                        }
                        if (upstream.http2()) {
                            Http2Upstream.addConnectionHandlers(ch.pipeline());
                        } else {
                            ch.pipeline().addLast(HTTP_CODEC, Http1Codecs.backendSide());
                            ch.pipeline().addLast(RELAY, new BackendHandler());
                        }
                    }
                });
        ChannelFuture f = b.connect(socketAddress(endpoint));
        f.addListener(done -> {
            if (done.isSuccess()) {
                metrics.backendConnectionOpened();
                if (!upstream.http2()) {
                    pool(loop, tls).forgetOnClose(endpoint, f.channel());
                }
            }
        });
        return tls == null ? f : UpstreamTlsHandlers.handshaked(f);
    }

    /**
     * An IP literal (an EndpointSlice address, IPv4 or IPv6 such as {@code ::1}, maybe in brackets) is used
     * as is; a DNS name (an ExternalName Service) is left unresolved for the bootstrap's resolver.
     */
    static InetSocketAddress socketAddress(Endpoint endpoint) {
        String host = endpoint.address();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
        return literal != null ? new InetSocketAddress(literal, endpoint.port())
                : InetSocketAddress.createUnresolved(host, endpoint.port());
    }

    @Override
    public void release(EventLoop loop, Endpoint endpoint, Upstream upstream, Channel channel) {
        if (upstream.http2()) {
            Http2Upstream.release(channel);
            return;
        }
        BackendHandler.detachFrom(channel);
        pool(loop, upstream.tls()).release(endpoint, channel);
    }
}
