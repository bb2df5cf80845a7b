package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.ClientWait;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The header and keep-alive timeouts of one HTTP/1.1 client connection ({@link ClientWait} decides): a client
 * that takes longer than {@code --client-header-timeout} to send a request head, or leaves a kept-alive
 * connection idle longer than {@code --keepalive-timeout}, is disconnected without an answer, as nginx does
 * (its 408 goes to the log only: a response could meet a client that is not reading), and counted in
 * {@code signalbox_client_timeouts_total{kind}}. Two handlers share the state: {@link #bytes()} sits before the
 * HTTP codec and sees that a next request started, {@link #messages()} after it sees whole request heads and
 * final responses, and keeps the connection-wide idle close away while our own timeouts apply. At most one
 * check is scheduled at a time (as {@link ResponseTimer}). Event loop only.
 */
final class ClientTimeouts {
    private final ClientPolicy policy;
    private final ProxyMetrics metrics;
    private ClientWait wait;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> check;
    private boolean finalResponseUnderway;

    ClientTimeouts(ClientPolicy policy, ProxyMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    /** The handler to place before the HTTP codec. */
    ChannelHandler bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (wait != null && wait.phase() == ClientWait.Phase.KEEPALIVE && msg instanceof ByteBuf b
                        && b.isReadable()) {
                    wait.bytesReceived(System.nanoTime());
                    ensureCheck();
                }
                c.fireChannelRead(msg);
            }
        };
    }

    /** The handler to place after the HTTP codec, before the idle close. */
    ChannelHandler messages() {
        return new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext c) {
                ctx = c;
                wait = new ClientWait(policy, System.nanoTime());
                ensureCheck();
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext c) {
                stop();
            }

            @Override
            public void channelInactive(ChannelHandlerContext c) {
                stop();
                c.fireChannelInactive();
            }

            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (msg instanceof HttpRequest) {
                    wait.headReceived();
                }
                c.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
                if (msg instanceof HttpResponse r && r.status().code() >= 200) {
                    finalResponseUnderway = true;
                }
                if (msg instanceof LastHttpContent && finalResponseUnderway) {
                    finalResponseUnderway = false;
                    wait.responseSent(System.nanoTime());
                    ensureCheck();
                }
                c.write(msg, promise);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext c, Object evt) {
                // Between requests our timeouts apply; the connection-wide idle close only while one is under way.
                if (evt instanceof IdleStateEvent && wait.phase() != ClientWait.Phase.BUSY) {
                    return;
                }
                c.fireUserEventTriggered(evt);
            }
        };
    }

    private void ensureCheck() {
        if (check == null && ctx != null && wait.phase() != ClientWait.Phase.BUSY) {
            schedule(wait.checkEveryNanos());
        }
    }

    private void schedule(long nanos) {
        check = ctx.executor().schedule(this::run, nanos, TimeUnit.NANOSECONDS);
    }

    private void run() {
        check = null;
        if (!ctx.channel().isOpen()) {
            return;
        }
        ClientWait.Check c = wait.check(System.nanoTime());
        if (c instanceof ClientWait.Check.WaitFor w) {
            schedule(w.nanos());
        } else if (c instanceof ClientWait.Check.Expired e) {
            metrics.clientTimeout(e.phase().label());
            ctx.close();
        }
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
