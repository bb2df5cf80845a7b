package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.Upgrade;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket over HTTP/2 (RFC 8441) on one client stream, made into the HTTP/1.1 upgrade the backend knows: the
 * listener announces {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} ({@link Http2Frontend}); an extended CONNECT with
 * {@code :protocol websocket} becomes, for the rest of the pipeline, a GET of its {@code :path} with
 * {@code Upgrade: websocket}, {@code Connection: upgrade} and a fresh {@code Sec-WebSocket-Key} (RFC 8441 4: the
 * HTTP/2 request has none), so the exchange routes and forwards it like an HTTP/1.1 handshake. The backend's 101
 * goes back as the 200 that RFC 8441 5 asks for (without the HTTP/1.1-only accept field), and the empty end of
 * that response is not sent, since the stream goes on as the tunnel ({@link Tunnel}: DATA frames both ways).
 * Only such a stream gets a stream channel ({@link Http2Streams} serves the others at the frame level). Two handlers
 * share the state: {@link #frames()}, on the stream channel before its HTTP/2-to-HTTP/1 codec, and the one after the
 * codec that adds the upgrade fields, which {@link #frames()} puts there when it sees the CONNECT. The stream
 * channel's event loop only.
 */
final class ExtendedConnect {
    static final String FRAMES = "h2-extended-connect";
    static final String MESSAGES = "h2-extended-connect-request";
    private static final String PROTOCOL = Http2Headers.PseudoHeaderName.PROTOCOL.value().toString();

    /** The stream carries an extended CONNECT for a WebSocket. */
    private boolean webSocket;
    /** Its 200 was sent: the empty end of the converted 101 is dropped. */
    private boolean switched;

    /** The handler before the codec: the CONNECT in, the 200 out. */
    ChannelHandler frames() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame h && !webSocket && isWebSocketConnect(h.headers())) {
                    webSocket = true;
                    ctx.pipeline().addAfter(Http2Frontend.H2_TO_HTTP, MESSAGES, messages());
                    Http2Headers get = new DefaultHttp2Headers();
                    for (Map.Entry<CharSequence, CharSequence> e : h.headers()) {
                        if (!PROTOCOL.contentEquals(e.getKey())) {
                            get.add(e.getKey(), e.getValue());
                        }
                    }
                    get.method("GET");
                    // A handshake has no body: the stream's DATA is the tunnel's, after the switch.
                    get.set(HttpHeaderNames.CONTENT_LENGTH, "0");
                    ctx.fireChannelRead(new DefaultHttp2HeadersFrame(get, h.isEndStream()).stream(h.stream()));
                    return;
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (webSocket && msg instanceof Http2HeadersFrame h && "101".contentEquals(h.headers().status())) {
                    switched = true;
                    Http2Headers ok = new DefaultHttp2Headers();
                    for (Map.Entry<CharSequence, CharSequence> e : h.headers()) {
                        if (!HttpHeaderNames.SEC_WEBSOCKET_ACCEPT.contentEqualsIgnoreCase(e.getKey())) {
                            ok.add(e.getKey(), e.getValue());
                        }
                    }
                    ok.status("200");
                    ctx.write(new DefaultHttp2HeadersFrame(ok, false).stream(h.stream()), promise);
                    return;
                }
                if (switched && msg instanceof Http2DataFrame d && d.isEndStream() && !d.content().isReadable()) {
                    switched = false;
                    d.release();
                    promise.setSuccess();
                    return;
                }
                ctx.write(msg, promise);
            }
        };
    }

    /** The handler after the codec: the HTTP/1.1 upgrade fields on the converted request. */
    private ChannelHandler messages() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (webSocket && msg instanceof HttpRequest r && !r.headers().contains(HttpHeaderNames.UPGRADE)) {
                    byte[] key = new byte[16];
                    ThreadLocalRandom.current().nextBytes(key);
                    Upgrade.forward(r.headers(), Upgrade.WEBSOCKET);
                    r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_KEY, Base64.getEncoder().encodeToString(key));
                    r.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    static boolean isWebSocketConnect(Http2Headers h) {
        CharSequence protocol = h.get(PROTOCOL);
        return h.method() != null && "CONNECT".contentEquals(h.method()) && protocol != null
                && Upgrade.WEBSOCKET.contentEquals(protocol.toString().toLowerCase(java.util.Locale.ROOT));
    }
}
