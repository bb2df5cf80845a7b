package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.ClientWait;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Every timeout of a client connection outside the exchanges, in one handler ({@link ClientWait} decides). Over
 * HTTP/1.1 it sits after the HTTP codec: a client that takes longer than {@code --client-header-timeout} to send a
 * request head, or leaves a kept-alive connection idle longer than {@code --keepalive-timeout}, is disconnected
 * without an answer, as nginx does (its 408 goes to the log only: a response could meet a client that is not
 * reading), and counted in {@code signalbox_client_timeouts_total{kind}}; while requests are under way, a
 * connection without traffic either way for {@link #IDLE} is closed, unless a response head is awaited (the
 * request's {@link ResponseTimer}, its route's {@code proxy-read-timeout}, bounds that wait). An HTTP/2 connection
 * ({@link #http2}, before the frame codec) has the idle close only.
 * <p>
 * Events only note a time: a read counts when it completes (any read on an idle kept-alive connection starts the
 * next head, whether or not it completed one), a write when it is flushed. Netty's {@code IdleStateHandler} counts
 * a write when it completes, at the price of a listener on every write (and a real promise for a void one); with the
 * proxy's flow control the next write waits for that completion anyway, so the two differ by at most one write's
 * transfer time. At most one check is scheduled at a time, and it reschedules itself (as {@link ResponseTimer}).
 * Event loop only.
 */
final class ClientTimeouts extends ChannelDuplexHandler {
    /** A connection with requests under way and no traffic either way for this long is closed, freeing its slot. */
    static final Duration IDLE = Duration.ofSeconds(60);

    private final LongFunction<ClientWait> start;
    private final ProxyMetrics metrics;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    private ClientWait wait;
    private ScheduledFuture<?> check;
    /** A message was decoded since the last read completed. */
    private boolean decoded;
    /** A final response's head was written and its end not yet. */
    private boolean finalResponseUnderway;

    private ClientTimeouts(LongFunction<ClientWait> start, ProxyMetrics metrics) {
        this.start = start;
        this.metrics = metrics;
    }

    /** The timeouts of an HTTP/1.1 connection, after the HTTP codec. */
    static ClientTimeouts http1(ClientPolicy policy, ProxyMetrics metrics) {
        return new ClientTimeouts(now -> new ClientWait(policy, IDLE.toNanos(), now), metrics);
    }

    /** The idle close of an HTTP/2 connection, before the frame codec. */
    static ClientTimeouts http2(ProxyMetrics metrics) {
        return new ClientTimeouts(now -> ClientWait.idleOnly(IDLE.toNanos(), now), metrics);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        ctx = c;
        ticker = c.executor().ticker();
        wait = start.apply(ticker.nanoTime());
        schedule(wait.checkEveryNanos());
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
        decoded = true;
        if (msg instanceof HttpRequest) {
            wait.headReceived();
        }
        c.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext c) {
        wait.read(ticker.nanoTime(), decoded);
        decoded = false;
        c.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && r.status().code() >= 200) {
            finalResponseUnderway = true;
        }
        if (msg instanceof LastHttpContent && finalResponseUnderway) {
            finalResponseUnderway = false;
            wait.responseSent(ticker.nanoTime());
        }
        c.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext c) {
        wait.wrote(ticker.nanoTime());
        c.flush();
    }

    private void schedule(long nanos) {
        check = ctx.executor().schedule(this::run, nanos, TimeUnit.NANOSECONDS);
    }

    private void run() {
        check = null;
        if (!ctx.channel().isOpen()) {
            return;
        }
        ClientWait.Check c = wait.check(ticker.nanoTime(), responseAwaited());
        if (c instanceof ClientWait.Check.WaitFor w) {
            schedule(w.nanos());
        } else if (c instanceof ClientWait.Check.Expired e) {
            // The idle close was never counted: the metric is for the header and keep-alive timeouts.
            if (e.phase() != ClientWait.Phase.BUSY) {
                metrics.clientTimeout(e.phase().label());
            }
            ctx.close();
        }
    }

    /** Whether the connection's exchange awaits a response head (never on an HTTP/2 connection: its streams do). */
    private boolean responseAwaited() {
        FrontendHandler requests = ctx.pipeline().get(FrontendHandler.class);
        return requests != null && requests.responseTimer().armed();
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
