package dev.signalbox.proxy.http;

import dev.signalbox.routing.Decision;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;

/**
 * Applies a route's {@code rewrite-target} to the head sent to the backend: the path the routing table worked out,
 * then the request's query (nginx appends the arguments to a replacement without its own), and
 * {@code X-Forwarded-Prefix} when the route sets one; and its {@code upstream-vhost} as the Host header. Called after {@link HeaderRewriter#forBackend}, which removes
 * a client's own X-Forwarded-Prefix. Pure.
 */
public final class Rewrites {
    public static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-prefix");

    private Rewrites() {
    }

    public static void apply(HttpRequest head, Decision.Rewrite rewrite) {
        if (rewrite == null || head.uri().equals("*")) {
            return;
        }
        if (rewrite.path() != null) {
            String uri = head.uri();
            int query = uri.indexOf('?');
            head.setUri(query < 0 ? rewrite.path() : rewrite.path() + uri.substring(query));
        }
        if (rewrite.forwardedPrefix() != null) {
            head.headers().set(X_FORWARDED_PREFIX, rewrite.forwardedPrefix());
        }
        if (rewrite.host() != null) {
            // upstream-vhost: nginx's proxy_set_header Host; X-Forwarded-Host keeps the client's.
            head.headers().set(HttpHeaderNames.HOST, rewrite.host());
        }
    }
}
