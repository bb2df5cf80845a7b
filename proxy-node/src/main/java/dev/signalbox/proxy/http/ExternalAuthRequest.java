package dev.signalbox.proxy.http;

import dev.signalbox.routing.AccessRules;
import dev.signalbox.schemas.snapshot.RouteAccess;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * The request an {@code auth-url} service receives, as ingress-nginx's {@code location = /_external-auth-...} block
 * sends it (rootfs/etc/nginx/template/nginx.tmpl, controller v1.15, default ConfigMap: compute-full-forwarded-for off):
 * <ul>
 * <li>the method GET (nginx's subrequests are GET whatever the client's), or {@code auth-method}; the URL's path and
 *     query; no body, and no Content-Length, Transfer-Encoding, Expect, TE, Keep-Alive or Upgrade field
 *     ({@code proxy_pass_request_body off}, {@code Content-Length ""}, nginx's proxy defaults);</li>
 * <li>the client's other fields as it sent them ({@code proxy_pass_request_headers on}), with the X-Request-ID the
 *     proxy kept or generated ({@code $req_id});</li>
 * <li>Host the URL's host without its port (Go's {@code URL.Hostname()}, which ingress-nginx writes);</li>
 * <li>X-Original-URL {@code $scheme://$http_host$request_uri}, X-Original-Method, X-Sent-From
 *     {@code nginx-ingress-controller}, X-Auth-Request-Redirect ({@code auth-request-redirect} or the request URI);</li>
 * <li>X-Real-IP and X-Forwarded-For both the client's address as the proxy trusts it ({@code $remote_addr} after the
 *     realip module); no X-Forwarded-Proto (ingress-nginx blanks it);</li>
 * <li>with {@code auth-method}, X-Original-URI (the request URI) and X-Scheme ({@code $pass_access_scheme}: a trusted
 *     proxy's X-Forwarded-Proto, else the connection's scheme);</li>
 * <li>the {@code ssl-client-*} fields when the host verifies client certificates.</li>
 * </ul>
 * One deliberate difference, the proxy's rule for every hop: identity fields (X-Forwarded-*, X-Real-IP, Forwarded,
 * X-Original-Forwarded-For, and X-Original-URI and X-Scheme where the proxy does not write them) sent by a peer that
 * is not a trusted proxy are dropped, where ingress-nginx passes a client's X-Forwarded-Host, X-Forwarded-Port or
 * X-Original-URI on to the service; from a trusted proxy ({@code --trusted-proxies}, ingress-nginx's
 * use-forwarded-headers) they pass. Pure: the request is read, not changed; any thread.
 */
public final class ExternalAuthRequest {
    /** ingress-nginx's X-Sent-From value. */
    public static final String SENT_FROM = "nginx-ingress-controller";
    private static final AsciiString X_ORIGINAL_URL = AsciiString.cached("x-original-url");
    private static final AsciiString X_ORIGINAL_METHOD = AsciiString.cached("x-original-method");
    private static final AsciiString X_ORIGINAL_URI = AsciiString.cached("x-original-uri");
    private static final AsciiString X_SCHEME = AsciiString.cached("x-scheme");
    private static final AsciiString X_SENT_FROM = AsciiString.cached("x-sent-from");
    private static final AsciiString X_AUTH_REQUEST_REDIRECT = AsciiString.cached("x-auth-request-redirect");

    private ExternalAuthRequest() {
    }

    /** The head to send to {@code target} about the client's {@code request}, which came over {@code from}. */
    public static FullHttpRequest of(AccessRules.AuthTarget target, RouteAccess.ExternalAuth auth, HttpRequest request,
                                     HeaderRewriter.Forwarding from) {
        HttpHeaders in = request.headers();
        String client = HeaderRewriter.clientAddress(in, from);
        String forwardedProto = from.peerTrusted() ? in.get(HeaderRewriter.X_FORWARDED_PROTO) : null;
        String passAccessScheme = forwardedProto == null ? from.scheme() : forwardedProto;
        String httpHost = in.get(HttpHeaderNames.HOST);
        FullHttpRequest sub = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(auth.method() == null ? "GET" : auth.method()), target.target(), Unpooled.EMPTY_BUFFER);
        HttpHeaders h = sub.headers();
        h.set(in);
        HeaderRewriter.stripHopByHop(h);
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.EXPECT);
        HeaderRewriter.removeIdentityFields(h, from.peerTrusted());
        h.remove(HeaderRewriter.X_FORWARDED_PROTO);
        if (!from.peerTrusted()) {
            h.remove(X_ORIGINAL_URI);
            h.remove(X_SCHEME);
        }
        h.set(HttpHeaderNames.HOST, target.host());
        h.set(X_ORIGINAL_URL, from.scheme() + "://" + (httpHost == null ? "" : httpHost) + request.uri());
        h.set(X_ORIGINAL_METHOD, request.method().name());
        h.set(X_SENT_FROM, SENT_FROM);
        h.set(HeaderRewriter.X_REAL_IP, client);
        h.set(HeaderRewriter.X_FORWARDED_FOR, client);
        h.set(X_AUTH_REQUEST_REDIRECT, auth.requestRedirect() == null ? request.uri() : auth.requestRedirect());
        if (auth.method() != null) {
            h.set(X_ORIGINAL_URI, request.uri());
            h.set(X_SCHEME, passAccessScheme);
        }
        from.clientCertificate().forEach(h::set);
        return sub;
    }
}
