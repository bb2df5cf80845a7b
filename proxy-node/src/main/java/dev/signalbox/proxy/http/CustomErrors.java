package dev.signalbox.proxy.http;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Decision;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.ErrorPages;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.Predicate;

/**
 * ingress-nginx's {@code custom-http-errors} for one request (issue 18): which statuses of the backend's answer are
 * replaced, and the request that asks the Ingress's default backend for the page instead, as ingress-nginx's
 * {@code location @custom_<upstream>_<code>} builds it: the same method, the path {@code /} with the request's query
 * ({@code rewrite (.*) / break}), no body, and {@code X-Code}, {@code X-Format} (the client's Accept),
 * {@code X-Original-URI}, {@code X-Namespace}, {@code X-Ingress-Name}, {@code X-Service-Name}, {@code X-Service-Port},
 * {@code X-Request-ID} and {@code Host} (the client's). The default backend's answer is sent to the client as it is,
 * status included ({@code error_page <code> = @custom...}). Made only for routes that have error pages, so a route
 * without them pays nothing. Pure; the client channel's event loop.
 */
public final class CustomErrors {
    private final ErrorPages pages;
    /** The request target as routed (nginx's {@code $request_uri}), before any rewrite-target. */
    private final String uri;
    private final String host;
    private final String accept;

    private CustomErrors(ErrorPages pages, String uri, String host, String accept) {
        this.pages = pages;
        this.uri = uri;
        this.host = host;
        this.accept = accept;
    }

    /** What {@code head}, as routed and not yet rewritten for the backend, needs for its error pages; null for none. */
    public static CustomErrors of(ErrorPages pages, HttpRequest head) {
        if (pages == null || pages.codes().isEmpty()) {
            return null;
        }
        return new CustomErrors(pages, head.uri(), head.headers().get(HttpHeaderNames.HOST),
                head.headers().get(HttpHeaderNames.ACCEPT));
    }

    /** Whether the backend's answer with {@code status} is replaced. */
    public boolean intercepts(int status) {
        return pages.intercepts(status);
    }

    /**
     * The default backend's endpoint to ask, preferably one {@code ejected} does not reject; null when there is no
     * default backend or it has no endpoint (then the proxy answers with its own page).
     */
    public Decision.Forward endpoint(CompiledTable table, String route, Predicate<Endpoint> ejected) {
        if (pages.backend() == null) {
            return null;
        }
        Decision.Forward next = table.another(pages.backend(), route, ejected);
        return next != null ? next : table.another(pages.backend(), route, e -> false);
    }

    /** The reason in the proxy's own page for {@code status}, when there is no default backend to ask. */
    public String reason(int status) {
        return "the backend answered " + status + " (custom-http-errors; the Ingress's default-backend "
                + (pages.backend() == null ? "is not set" : "has no ready endpoints") + ")";
    }

    /**
     * The request for the default backend after the backend answered {@code status} to {@code sent} (the request as it
     * went to the backend: identity fields and X-Request-ID written): a head without body.
     */
    public HttpRequest request(HttpRequest sent, int status) {
        HttpHeaders h = sent.headers().copy();
        // No body, no upgrade: the page is asked for with the head alone (RFC 9112 6.3: no length, no body).
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.EXPECT);
        h.remove(HttpHeaderNames.UPGRADE);
        h.remove(HttpHeaderNames.CONNECTION);
        if (host != null) {
            h.set(HttpHeaderNames.HOST, host);
        }
        h.set(X_CODE, status);
        // nginx sends no field for an empty $http_accept.
        if (accept == null || accept.isEmpty()) {
            h.remove(X_FORMAT);
        } else {
            h.set(X_FORMAT, accept);
        }
        h.set(X_ORIGINAL_URI, uri);
        set(h, X_NAMESPACE, pages.namespace());
        set(h, X_INGRESS_NAME, pages.ingress());
        set(h, X_SERVICE_NAME, pages.service());
        set(h, X_SERVICE_PORT, pages.servicePort());
        int q = uri.indexOf('?');
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, sent.method(), q < 0 ? "/" : "/" + uri.substring(q), h);
    }

    private static void set(HttpHeaders h, String name, String value) {
        if (value == null) {
            h.remove(name);
        } else {
            h.set(name, value);
        }
    }

    static final String X_CODE = "X-Code";
    static final String X_FORMAT = "X-Format";
    static final String X_ORIGINAL_URI = "X-Original-URI";
    static final String X_NAMESPACE = "X-Namespace";
    static final String X_INGRESS_NAME = "X-Ingress-Name";
    static final String X_SERVICE_NAME = "X-Service-Name";
    static final String X_SERVICE_PORT = "X-Service-Port";
}
