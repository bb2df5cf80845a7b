package dev.signalbox.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream to the proxy, frame by frame (the tests' client where the JDK's and grpc-java's do not reach: an
 * extended CONNECT, a client's own flow-control window), and what comes back on it: the status, the data, the
 * trailers, a reset.
 */
final class H2Stream {
    private static final Duration WAIT = Duration.ofSeconds(30);

    Channel connection;
    Http2StreamChannel stream;
    volatile boolean connectProtocolEnabled;
    final CompletableFuture<String> status = new CompletableFuture<>();
    /** The HEADERS frame that ended the response after its head, if one did. */
    final CompletableFuture<Http2Headers> trailers = new CompletableFuture<>();
    /** The error code of a RST_STREAM the proxy sent on this stream. */
    final CompletableFuture<Long> reset = new CompletableFuture<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** A WebSocket over HTTP/2 (RFC 8441): an extended CONNECT to {@code path}, its stream left open. */
    static H2Stream open(EventLoopGroup group, int port, boolean tls, String path) throws Exception {
        Http2Headers h = new DefaultHttp2Headers()
                .method("CONNECT").scheme(tls ? "https" : "http").path(path).authority("127.0.0.1:" + port);
        h.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket");
        h.set("sec-websocket-version", "13");
        return open(group, port, tls, h, Http2Settings.defaultSettings());
    }

    /**
     * A stream that sends {@code head} (and no END_STREAM) on a new connection announcing {@code settings}; an initial
     * window of 0 there holds every DATA frame of the proxy's until {@link #openWindow}.
     */
    static H2Stream open(EventLoopGroup group, int port, boolean tls, Http2Headers head, Http2Settings settings)
            throws Exception {
        H2Stream s = new H2Stream();
        CompletableFuture<Void> settingsReceived = new CompletableFuture<>();
        SslContext ssl = tls ? SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build() : null;
        s.connection = new Bootstrap().group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2SettingsFrame f) {
                                    s.connectProtocolEnabled = Boolean.TRUE.equals(f.settings().connectProtocolEnabled());
                                    settingsReceived.complete(null);
                                }
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                }).connect("127.0.0.1", port).sync().channel();
        settingsReceived.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        s.stream = openStream(s);
        s.stream.writeAndFlush(new DefaultHttp2HeadersFrame(head, false)).sync();
        return s;
    }

    /** Another stream on this one's connection, sending {@code head} with END_STREAM (a request without a body). */
    H2Stream another(Http2Headers head) throws Exception {
        H2Stream s = new H2Stream();
        s.connection = connection;
        s.stream = openStream(s);
        s.stream.writeAndFlush(new DefaultHttp2HeadersFrame(head, true)).sync();
        return s;
    }

    /** A stream on {@code s}'s connection whose frames {@code s} records. */
    private static Http2StreamChannel openStream(H2Stream s) throws InterruptedException {
        return new Http2StreamChannelBootstrap(s.connection)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Http2HeadersFrame h) {
                            if (!s.status.isDone()) {
                                s.status.complete(String.valueOf(h.headers().status()));
                            } else if (h.isEndStream()) {
                                s.trailers.complete(h.headers());
                            }
                        } else if (msg instanceof Http2DataFrame d) {
                            synchronized (s.data) {
                                byte[] b = new byte[d.content().readableBytes()];
                                d.content().readBytes(b);
                                s.data.writeBytes(b);
                            }
                        }
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof Http2ResetFrame r) {
                            s.reset.complete(r.errorCode());
                        }
                        ReferenceCountUtil.release(evt);
                    }
                }).open().sync().getNow();
    }

    void send(byte[] bytes) throws InterruptedException {
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes))).sync();
    }

    void end() throws InterruptedException {
        stream.writeAndFlush(new DefaultHttp2DataFrame(true)).sync();
    }

    /** Sends {@code bytes} with END_STREAM. */
    void end(byte[] bytes) throws InterruptedException {
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), true)).sync();
    }

    /** Raises the connection's initial stream window to {@code bytes} (a SETTINGS frame), which lets held DATA go. */
    void openWindow(int bytes) throws InterruptedException {
        connection.writeAndFlush(new DefaultHttp2SettingsFrame(new Http2Settings().initialWindowSize(bytes))).sync();
    }

    int received() {
        synchronized (data) {
            return data.size();
        }
    }

    byte[] bytes() {
        synchronized (data) {
            return data.toByteArray();
        }
    }
}
