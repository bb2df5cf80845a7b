package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.tls.UpstreamTlsContexts;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The client {@link SslHandler} of a backend connection over TLS, from the contexts of
 * {@link UpstreamTlsContexts}: added first in the connection's pipeline by its initializer, on the
 * connection's event loop. SNI is the setting's serverName (not for an IP literal); with verify, the JDK
 * checks that the certificate names it.
 */
final class UpstreamTlsHandlers {
    static final String HANDLER = "upstream-tls";
    private static final AttributeKey<String> REFUSED = AttributeKey.valueOf("signalbox.upstream-tls.refused");
    private static final AttributeKey<SSLEngine> ENGINE = AttributeKey.valueOf("signalbox.upstream-tls.engine");

    private UpstreamTlsHandlers() {
    }

    /**
     * Adds the client {@link SslHandler} for {@code tls} to a backend connection's pipeline, first; with
     * {@code http2} it offers only h2 by ALPN (RFC 7301). When this node cannot use the settings it adds nothing
     * and {@link #handshaked} fails the connection with the reason.
     */
    static void addHandler(UpstreamTlsContexts contexts, Channel ch, UpstreamTls tls, Duration handshakeTimeout,
                           boolean http2) {
        try {
            SslHandler ssl = newHandler(contexts.contextFor(tls), ch, tls, handshakeTimeout, http2);
            ch.attr(ENGINE).set(ssl.engine());
            ch.pipeline().addFirst(HANDLER, ssl);
        } catch (UpstreamTlsContexts.RefusedException e) {
            ch.attr(REFUSED).set(e.getMessage());
        }
    }

    /**
     * A future that completes when {@code connect} and then the TLS handshake did: the exchange writes its
     * request only to a backend authenticated as the settings ask.
     */
    static ChannelFuture handshaked(ChannelFuture connect) {
        Channel ch = connect.channel();
        ChannelPromise done = ch.newPromise();
        connect.addListener(f -> {
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (!f.isSuccess()) {
                done.tryFailure(f.cause());
            } else if (ssl == null) {
                ch.close();
                done.tryFailure(new UpstreamTlsContexts.RefusedException(String.valueOf(ch.attr(REFUSED).get())));
            } else {
                ssl.handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        done.trySuccess();
                    } else {
                        done.tryFailure(h.cause());
                    }
                });
            }
        });
        return done;
    }

    /** {@link UpstreamTlsContexts#closedBeforeResponse} for a backend connection (null: none). */
    static UpstreamTlsContexts.Failure closedBeforeResponse(Channel backend) {
        return UpstreamTlsContexts.closedBeforeResponse(backend == null ? null : backend.attr(ENGINE).get());
    }

    /** The protocol the backend chose by ALPN: "h2", "" when none was negotiated, null before the handshake. */
    static String applicationProtocol(Channel backend) {
        SSLEngine engine = backend.attr(ENGINE).get();
        return engine == null ? null : engine.getApplicationProtocol();
    }

    private static SslHandler newHandler(SslContext ctx, Channel ch, UpstreamTls tls, Duration timeout, boolean http2) {
        String name = tls.serverName();
        SslHandler handler = ctx.newHandler(ch.alloc(), name, 443);
        handler.setHandshakeTimeoutMillis(timeout.toMillis());
        SSLEngine engine = handler.engine();
        SSLParameters p = engine.getSSLParameters();
        // RFC 6066 3: SNI carries DNS names only, never an IP literal.
        if (!NetUtil.isValidIpV4Address(name) && !NetUtil.isValidIpV6Address(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        if (tls.verify()) {
            // RFC 6125 through the JDK: the certificate must name serverName (DNS SANs, an IP SAN for an IP).
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (http2) {
            // The JDK engine negotiates ALPN itself (the shared context is built without ALPN for HTTP/1.1 backends).
            p.setApplicationProtocols(new String[] {"h2"});
        }
        engine.setSSLParameters(p);
        return handler;
    }
}
