package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.routing.AccessRules;
import dev.signalbox.schemas.snapshot.RouteAccess;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request an auth-url service receives: a client's request in, the request line and every field (sorted, lower
 * case names) out, against ingress-nginx's auth location (nginx.tmpl's {@code location = {{ $authPath }}}).
 */
class ExternalAuthRequestTest {
    private static final AccessRules.AuthTarget TARGET =
            new AccessRules.AuthTarget("auth.example", 8080, false, "/oauth2/auth?x=1", "auth.example:8080");
    private static final RouteAccess.ExternalAuth PLAIN = auth(null, null);
    private static final TrustedProxies LB = TrustedProxies.parse("192.0.2.0/24");
    private static final HeaderRewriter.Forwarding CLIENT = new HeaderRewriter.Forwarding("198.51.100.7", "http", 80, LB);
    private static final HeaderRewriter.Forwarding VIA_LB = new HeaderRewriter.Forwarding("192.0.2.10", "http", 80, LB);

    private static RouteAccess.ExternalAuth auth(String method, String requestRedirect) {
        return new RouteAccess.ExternalAuth("http://auth.example:8080/oauth2/auth?x=1", method, null, "rd", List.of(),
                requestRedirect, null, List.of());
    }

    /** A client's request: method, target, then name and value pairs; a body when the method is POST. */
    private static FullHttpRequest request(String method, String uri, String... fields) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri,
                "POST".equals(method) ? Unpooled.copiedBuffer("a=1", StandardCharsets.US_ASCII) : Unpooled.EMPTY_BUFFER);
        for (int i = 0; i < fields.length; i += 2) {
            r.headers().add(fields[i], fields[i + 1]);
        }
        return r;
    }

    /** What the service receives: the request line, then every field as "name: value", sorted. */
    private static List<String> sent(String requestLine, String... more) {
        List<String> out = new ArrayList<>(List.of(requestLine));
        out.addAll(List.of(more));
        return out;
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("a GET: the URL's path and query, Host without the port, the original URL and method, "
                                + "the client as X-Real-IP and X-Forwarded-For, no X-Forwarded-Proto, the client's own fields kept",
                        request("GET", "/app/a?b=c", "Host", "access.test", "Cookie", "s=1", "Authorization", "Bearer t",
                                "X-Request-ID", "r1"),
                        PLAIN, CLIENT,
                        sent("GET /oauth2/auth?x=1 HTTP/1.1", "authorization: Bearer t", "cookie: s=1",
                                "host: auth.example", "x-auth-request-redirect: /app/a?b=c",
                                "x-forwarded-for: 198.51.100.7", "x-original-method: GET",
                                "x-original-url: http://access.test/app/a?b=c", "x-real-ip: 198.51.100.7",
                                "x-request-id: r1", "x-sent-from: nginx-ingress-controller")),
                Arguments.of("a POST is asked about with GET and without its body or framing (the subrequest's method)",
                        request("POST", "/form", "Host", "access.test:8080", "Content-Length", "3",
                                "Content-Type", "application/x-www-form-urlencoded", "Expect", "100-continue"),
                        PLAIN, new HeaderRewriter.Forwarding("198.51.100.7", "https", 443, LB),
                        sent("GET /oauth2/auth?x=1 HTTP/1.1", "content-type: application/x-www-form-urlencoded",
                                "host: auth.example", "x-auth-request-redirect: /form",
                                "x-forwarded-for: 198.51.100.7", "x-original-method: POST",
                                "x-original-url: https://access.test:8080/form", "x-real-ip: 198.51.100.7",
                                "x-sent-from: nginx-ingress-controller")),
                Arguments.of("auth-method sets the method and adds X-Original-URI and X-Scheme; auth-request-redirect "
                                + "replaces the request URI",
                        request("DELETE", "/items/7", "Host", "access.test"),
                        auth("POST", "https://app.example/"), CLIENT,
                        sent("POST /oauth2/auth?x=1 HTTP/1.1", "host: auth.example",
                                "x-auth-request-redirect: https://app.example/", "x-forwarded-for: 198.51.100.7",
                                "x-original-method: DELETE", "x-original-uri: /items/7",
                                "x-original-url: http://access.test/items/7", "x-real-ip: 198.51.100.7",
                                "x-scheme: http", "x-sent-from: nginx-ingress-controller")),
                Arguments.of("identity fields a client forges are dropped, and those the proxy writes are its own",
                        request("GET", "/", "Host", "access.test", "X-Forwarded-For", "10.9.9.9",
                                "X-Real-IP", "10.9.9.9", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https",
                                "X-Forwarded-Port", "443", "Forwarded", "for=10.9.9.9", "X-Original-URI", "/public",
                                "X-Scheme", "https", "X-Original-URL", "http://x/public", "X-Sent-From", "me",
                                "X-Original-Method", "GET", "ssl-client-verify", "SUCCESS"),
                        PLAIN, CLIENT,
                        sent("GET /oauth2/auth?x=1 HTTP/1.1", "host: auth.example", "x-auth-request-redirect: /",
                                "x-forwarded-for: 198.51.100.7", "x-original-method: GET",
                                "x-original-url: http://access.test/", "x-real-ip: 198.51.100.7",
                                "x-sent-from: nginx-ingress-controller")),
                Arguments.of("from a trusted proxy: its client is X-Real-IP and the whole X-Forwarded-For (no chain, as "
                                + "compute-full-forwarded-for off), its X-Forwarded-Host passes, its X-Forwarded-Proto "
                                + "is X-Scheme and is blanked",
                        request("GET", "/x", "Host", "access.test", "X-Forwarded-For", "203.0.113.9, 192.0.2.11",
                                "X-Forwarded-Host", "app.example", "X-Forwarded-Proto", "https"),
                        auth("GET", null), VIA_LB,
                        sent("GET /oauth2/auth?x=1 HTTP/1.1", "host: auth.example", "x-auth-request-redirect: /x",
                                "x-forwarded-for: 203.0.113.9", "x-forwarded-host: app.example",
                                "x-original-method: GET", "x-original-uri: /x", "x-original-url: http://access.test/x",
                                "x-real-ip: 203.0.113.9", "x-scheme: https", "x-sent-from: nginx-ingress-controller")),
                Arguments.of("hop-by-hop fields and those the Connection field names are not sent; "
                                + "no Host from the client leaves X-Original-URL's host empty",
                        request("GET", "/", "Connection", "keep-alive, X-Hop", "X-Hop", "1", "Keep-Alive", "timeout=5",
                                "TE", "trailers", "Upgrade", "websocket", "Proxy-Connection", "keep-alive"),
                        PLAIN, CLIENT,
                        sent("GET /oauth2/auth?x=1 HTTP/1.1", "host: auth.example", "x-auth-request-redirect: /",
                                "x-forwarded-for: 198.51.100.7", "x-original-method: GET", "x-original-url: http:///",
                                "x-real-ip: 198.51.100.7", "x-sent-from: nginx-ingress-controller")),
                Arguments.of("a verified client certificate's fields go to the service as to the backend",
                        request("GET", "/", "Host", "access.test"), PLAIN,
                        new HeaderRewriter.Forwarding("198.51.100.7", "https", 443, LB,
                                Map.of("ssl-client-verify", "SUCCESS", "ssl-client-subject-dn", "CN=alice")),
                        sent("GET /oauth2/auth?x=1 HTTP/1.1", "host: auth.example", "ssl-client-subject-dn: CN=alice",
                                "ssl-client-verify: SUCCESS", "x-auth-request-redirect: /",
                                "x-forwarded-for: 198.51.100.7", "x-original-method: GET",
                                "x-original-url: https://access.test/", "x-real-ip: 198.51.100.7",
                                "x-sent-from: nginx-ingress-controller")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void sendsWhatIngressNginxSends(String name, FullHttpRequest request, RouteAccess.ExternalAuth auth,
                                    HeaderRewriter.Forwarding from, List<String> expected) {
        FullHttpRequest sub = ExternalAuthRequest.of(TARGET, auth, request, from);
        try {
            List<String> out = new ArrayList<>(List.of(sub.method() + " " + sub.uri() + " " + sub.protocolVersion()
                    + (sub.content().isReadable() ? " with a body" : "")));
            sub.headers().forEach(e -> out.add(e.getKey().toLowerCase(Locale.ROOT) + ": " + e.getValue()));
            out.subList(1, out.size()).sort(null);
            assertEquals(expected, out);
        } finally {
            sub.release();
            request.release();
        }
    }
}
