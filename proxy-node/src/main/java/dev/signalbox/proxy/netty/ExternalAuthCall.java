package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ExternalAuthAnswer;
import dev.signalbox.proxy.http.ExternalAuthRequest;
import dev.signalbox.proxy.http.HeaderRewriter;
import dev.signalbox.routing.AccessRules;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code auth-url} subrequest (nginx's {@code auth_request}, as ingress-nginx sets it up): the head
 * {@link ExternalAuthRequest} builds from the client's request, without a body, sent to the authentication service over the proxy's own backend connections (pooled per
 * event loop, as to any backend), and the service's status and fields handed to {@link ExternalAuthAnswer}. Its body
 * is read and dropped. Bounded as nginx bounds it: the connection within the timeout, then the same timeout
 * between two reads, so a slow service holds one request, never the loop. Everything runs
 * on the client connection's event loop.
 */
final class ExternalAuthCall implements BackendListener {
    private static final Logger LOG = LoggerFactory.getLogger(ExternalAuthCall.class);

    private final ClientStream client;
    private final Backends backends;
    private final Endpoint endpoint;
    private final Upstream upstream;
    private final Answered then;

    /** The service's answer: its status (0 when there was none) and what it means. */
    interface Answered {
        void accept(int status, ExternalAuthAnswer.Reply reply);
    }
    private final RouteAccess.ExternalAuth auth;
    /** How long the service may take to accept the connection, and then between two reads (nginx's proxy_read_timeout). */
    private final Duration timeout;
    private Channel channel;
    private HttpResponse head;
    private ScheduledFuture<?> timer;
    private boolean done;

    private ExternalAuthCall(ClientStream client, Backends backends, AccessRules.AuthTarget target,
                             RouteAccess.ExternalAuth auth, Answered then, Duration timeout) {
        this.client = client;
        this.backends = backends;
        this.endpoint = new Endpoint(target.host(), target.port());
        this.upstream = target.tls() ? Upstream.of(new UpstreamTls(target.host(), true, null, null, null, null), false)
                : Upstream.PLAIN;
        this.auth = auth;
        this.then = then;
        this.timeout = timeout;
    }

    /**
     * Asks the service at {@code target} about {@code request} (its fields are read, not changed); {@code then} gets
     * the reply on the client's loop.
     */
    static void start(ClientStream client, Backends backends, Duration timeout, AccessRules.AuthTarget target,
                      RouteAccess.ExternalAuth auth, HttpRequest request, HeaderRewriter.Forwarding from,
                      Answered then) {
        ExternalAuthCall call = new ExternalAuthCall(client, backends, target, auth, then, timeout);
        FullHttpRequest sub = ExternalAuthRequest.of(target, auth, request, from);
        Channel pooled = backends.pooled(client.eventLoop(), call.endpoint, call.upstream);
        if (pooled != null) {
            call.attach(pooled, sub);
            return;
        }
        // nginx's auth location has the proxy defaults: 60 s to connect, then 60 s between two reads (the timer).
        Future<Channel> connect = backends.connect(client.eventLoop(), call.endpoint, call.upstream, timeout);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                sub.release();
                call.fail("cannot connect: " + f.cause());
            } else if (call.done) {
                sub.release();
                connect.getNow().close();
            } else {
                call.attach(connect.getNow(), sub);
            }
        });
    }

    private void attach(Channel ch, FullHttpRequest sub) {
        if (done) {
            sub.release();
            backends.release(client.eventLoop(), endpoint, upstream, ch);
            return;
        }
        channel = ch;
        arm();
        ch.pipeline().get(BackendHandler.class).attach(this);
        ch.writeAndFlush(sub).addListener(f -> {
            if (!f.isSuccess()) {
                fail("cannot send the request: " + f.cause());
            }
        });
        ch.read();
    }

    @Override
    public void onResponse(HttpObject msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            fail("malformed response: " + msg.decoderResult().cause());
            return;
        }
        arm();
        if (msg instanceof HttpResponse r) {
            if (r.status().code() < 200) {
                // An interim answer (100 Continue): the final one follows.
                ReferenceCountUtil.release(msg);
                channel.read();
                return;
            }
            head = r;
        }
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (!last) {
            channel.read();
            return;
        }
        Channel ch = channel;
        finish(head.status().code(), ExternalAuthAnswer.of(head.status().code(), head.headers(), auth));
        BackendHandler.detachFrom(ch);
        if (HttpUtil.isKeepAlive(head) && ch.isActive()) {
            backends.release(client.eventLoop(), endpoint, upstream, ch);
        } else {
            ch.close();
        }
    }

    @Override
    public void onResponseReadComplete() {
    }

    @Override
    public void onBackendClosed(Throwable cause) {
        fail("the connection closed before the answer" + (cause == null ? "" : ": " + cause));
    }

    /** (Re)starts the wait for the service's next bytes. */
    private void arm() {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = client.eventLoop().schedule(() -> fail("nothing read for " + timeout.toMillis() + " ms"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void fail(String why) {
        if (done) {
            return;
        }
        LOG.debug("auth-url {}: {}", auth.url(), why);
        Channel ch = channel;
        if (ch != null) {
            BackendHandler.detachFrom(ch);
            ch.close();
        }
        finish(0, ExternalAuthAnswer.failed("the authentication service at " + auth.url() + " failed: " + why));
    }

    private void finish(int status, ExternalAuthAnswer.Reply reply) {
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        then.accept(status, reply);
    }
}
