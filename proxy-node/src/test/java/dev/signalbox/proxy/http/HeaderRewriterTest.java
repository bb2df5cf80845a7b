package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HeaderRewriterTest {
    private static final String PEER = "192.0.2.7";

    record RequestCase(String name, HttpVersion version, String trusted, Map<String, String> in,
                       Map<String, String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** What the proxy adds to every request from {@link #PEER} on port 80 with the given Host. */
    private static Map<String, String> forwarded(String host, Map<String, String> rest) {
        Map<String, String> m = new TreeMap<>(rest);
        m.put("x-forwarded-for", PEER);
        m.put("x-real-ip", PEER);
        m.put("x-forwarded-proto", "http");
        m.put("x-forwarded-port", "80");
        if (host != null) {
            m.put("host", host);
            m.put("x-forwarded-host", host);
        }
        return m;
    }

    static Stream<RequestCase> requests() {
        return Stream.of(
                new RequestCase("Forwarded fields are added and end-to-end fields kept", HttpVersion.HTTP_1_1, "",
                        Map.of("host", "foo.com:8080", "accept", "text/plain"),
                        forwarded("foo.com:8080", Map.of("accept", "text/plain"))),
                new RequestCase("An untrusted client's identity fields are replaced, whatever their case",
                        HttpVersion.HTTP_1_1, "", Map.of("host", "a", "X-Forwarded-For", "203.0.113.1",
                                "x-real-ip", "203.0.113.1", "X-Forwarded-Proto", "https", "x-forwarded-host", "evil",
                                "x-forwarded-port", "443", "forwarded", "for=203.0.113.1", "SSL-Client-Verify", "SUCCESS",
                                "ssl-client-subject-dn", "CN=admin", "x-original-forwarded-for", "203.0.113.1"),
                        forwarded("a", Map.of())),
                new RequestCase("A trusted proxy's fields are kept, it is appended, and the real IP is the nearest "
                        + "untrusted hop", HttpVersion.HTTP_1_1, "192.0.2.0/24, 10.0.0.0/8",
                        Map.of("host", "a", "x-forwarded-for", "198.51.100.9, 203.0.113.1, 10.1.2.3",
                                "x-forwarded-proto", "https", "x-forwarded-port", "443"),
                        Map.of("host", "a", "x-forwarded-for", "198.51.100.9, 203.0.113.1, 10.1.2.3, 192.0.2.7",
                                "x-real-ip", "203.0.113.1", "x-forwarded-proto", "https", "x-forwarded-port", "443",
                                "x-forwarded-host", "a")),
                new RequestCase("Client certificate fields are the proxy's alone, even from a trusted proxy",
                        HttpVersion.HTTP_1_1, "192.0.2.7", Map.of("host", "a", "SSL-Client-Verify", "SUCCESS",
                                "ssl-client-subject-dn", "CN=admin", "ssl-client-issuer-dn", "CN=ca", "ssl-client-cert", "x"),
                        forwarded("a", Map.of())),
                new RequestCase("A trusted proxy alone is the real IP", HttpVersion.HTTP_1_1, "192.0.2.7",
                        Map.of("host", "a"), forwarded("a", Map.of())),
                new RequestCase("Hop-by-hop fields and those Connection names are removed", HttpVersion.HTTP_1_0, "",
                        Map.of("host", "a", "connection", "keep-alive, X-Secret", "x-secret", "s", "keep-alive", "300",
                                "te", "trailers", "upgrade", "websocket", "proxy-connection", "close"),
                        forwarded("a", Map.of())),
                new RequestCase("Connection cannot remove the length, the framing or the host", HttpVersion.HTTP_1_1, "",
                        Map.of("host", "a", "connection", "content-length, Host, transfer-encoding", "content-length", "75"),
                        forwarded("a", Map.of("content-length", "75"))),
                new RequestCase("A chunked request stays chunked on the backend hop and loses a length", HttpVersion.HTTP_1_1,
                        "", Map.of("host", "a", "transfer-encoding", "chunked", "connection", "transfer-encoding"),
                        forwarded("a", Map.of("transfer-encoding", "chunked"))),
                new RequestCase("A request without a length or chunking has no body on the backend hop",
                        HttpVersion.HTTP_1_1, "", Map.of("host", "a", "transfer-encoding", "gzip"), forwarded("a", Map.of())),
                new RequestCase("A repeated equal length is sent as one number", HttpVersion.HTTP_1_1, "",
                        Map.of("host", "a", "content-length", "007"), forwarded("a", Map.of("content-length", "7"))));
    }

    @org.junit.jupiter.api.Test
    void aRequestFromTheTlsListenerSaysHttpsAndLosesNettysHttp2Fields() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        r.headers().add("host", "a").add("x-http2-stream-id", "3").add("x-http2-scheme", "https");
        HeaderRewriter.forBackend(r, new HeaderRewriter.Forwarding(PEER, "https", 443, TrustedProxies.NONE));
        assertEquals(Map.of("host", "a", "x-forwarded-for", PEER, "x-real-ip", PEER, "x-forwarded-proto", "https",
                "x-forwarded-host", "a", "x-forwarded-port", "443"), headers(r.headers()));
    }

    @org.junit.jupiter.api.Test
    void aWholeRequestIsFramedByItsContent() {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x",
                Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
        try {
            r.headers().add("host", "a").add("content-length", "2");
            HeaderRewriter.forBackend(r, new HeaderRewriter.Forwarding(PEER, "http", 80, TrustedProxies.NONE));
            assertEquals("5", r.headers().get("content-length"));
        } finally {
            r.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void rewritesRequests(RequestCase c) {
        HttpRequest r = new DefaultHttpRequest(c.version(), HttpMethod.POST, "/x");
        c.in().forEach(r.headers()::add);
        HeaderRewriter.forBackend(r, new HeaderRewriter.Forwarding(PEER, "http", 80, TrustedProxies.parse(c.trusted())));
        assertEquals(new TreeMap<>(c.expected()) + " " + HttpVersion.HTTP_1_1, headers(r.headers()) + " " + r.protocolVersion());
    }

    record ResponseCase(String name, HttpVersion clientVersion, HttpMethod method, boolean keepAlive, int status,
                        Map<String, String> in, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ResponseCase> responses() {
        return Stream.of(
                new ResponseCase("A response with a length keeps it and gets the version", HttpVersion.HTTP_1_1,
                        HttpMethod.GET, true, 200, Map.of("content-length", "5", "connection", "keep-alive"),
                        "{content-length=5, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A length written with leading zeros is sent as the number", HttpVersion.HTTP_1_1,
                        HttpMethod.GET, true, 200, Map.of("content-length", "005"),
                        "{content-length=5, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A length written with a sign is sent as the number", HttpVersion.HTTP_1_1,
                        HttpMethod.GET, true, 200, Map.of("content-length", "+5"),
                        "{content-length=5, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("The length Netty infers for an old WebSocket handshake is written", HttpVersion.HTTP_1_1,
                        HttpMethod.GET, true, 101, Map.of("sec-websocket-origin", "http://a", "sec-websocket-location", "ws://a/"),
                        "{content-length=16, sec-websocket-location=ws://a/, sec-websocket-origin=http://a, "
                                + "x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A length of zero is kept", HttpVersion.HTTP_1_1,
                        HttpMethod.GET, true, 200, Map.of("content-length", "0"),
                        "{content-length=0, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A response without a length is chunked for an HTTP/1.1 client", HttpVersion.HTTP_1_1,
                        HttpMethod.GET, true, 200, Map.of(),
                        "{transfer-encoding=chunked, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A response without a length closes an HTTP/1.0 client", HttpVersion.HTTP_1_0,
                        HttpMethod.GET, true, 200, Map.of("transfer-encoding", "chunked"),
                        "{x-signalbox-version=9} keepAlive=false"),
                new ResponseCase("Connection cannot remove a response's length", HttpVersion.HTTP_1_1, HttpMethod.GET,
                        true, 200, Map.of("content-length", "5", "connection", "content-length"),
                        "{content-length=5, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("Connection cannot remove a response's chunking", HttpVersion.HTTP_1_1, HttpMethod.GET,
                        true, 200, Map.of("transfer-encoding", "chunked", "connection", "transfer-encoding"),
                        "{transfer-encoding=chunked, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A HEAD response keeps the length of the body it does not carry", HttpVersion.HTTP_1_1,
                        HttpMethod.HEAD, true, 200, Map.of("content-length", "5"),
                        "{content-length=5, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A 204 is not given chunked framing", HttpVersion.HTTP_1_1, HttpMethod.GET, true, 204,
                        Map.of(), "{x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A client that asked to close is told so", HttpVersion.HTTP_1_1, HttpMethod.HEAD, false,
                        200, Map.of(), "{connection=close, x-signalbox-version=9} keepAlive=false"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void rewritesResponses(ResponseCase c) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(c.status()));
        c.in().forEach(r.headers()::add);
        boolean keepAlive = HeaderRewriter.forClient(r, c.clientVersion(), c.method(), c.keepAlive(), 9);
        assertEquals(c.expected(), headers(r.headers()) + " keepAlive=" + keepAlive);
    }

    /** Connection fields as a message carries them (one per element), and the version. */
    record KeepAliveCase(String name, HttpVersion version, List<String> connection, boolean expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<KeepAliveCase> keepAliveCases() {
        HttpVersion v11 = HttpVersion.HTTP_1_1;
        HttpVersion v10 = HttpVersion.HTTP_1_0;
        return Stream.of(
                new KeepAliveCase("HTTP/1.1 without Connection stays open", v11, List.of(), true),
                new KeepAliveCase("HTTP/1.0 without Connection closes", v10, List.of(), false),
                new KeepAliveCase("HTTP/1.1 with keep-alive", v11, List.of("keep-alive"), true),
                new KeepAliveCase("HTTP/1.0 with Keep-Alive in any case", v10, List.of("Keep-Alive"), true),
                new KeepAliveCase("HTTP/1.1 with close", v11, List.of("close"), false),
                new KeepAliveCase("HTTP/1.1 with CLOSE", v11, List.of("CLOSE"), false),
                new KeepAliveCase("close in a second field wins over keep-alive", v11, List.of("keep-alive", "close"),
                        false),
                new KeepAliveCase("close among other tokens", v11, List.of("keep-alive, close"), false),
                new KeepAliveCase("close with spaces among other tokens", v11, List.of("Upgrade ,  close "), false),
                new KeepAliveCase("HTTP/1.0 keep-alive among other tokens", v10, List.of("Upgrade, keep-alive"), true),
                new KeepAliveCase("HTTP/1.0 with only another token", v10, List.of("Upgrade"), false),
                new KeepAliveCase("HTTP/1.1 with only another token", v11, List.of("Upgrade"), true),
                new KeepAliveCase("a token that only contains close", v11, List.of("closed"), true),
                new KeepAliveCase("HTTP/1.0 with keep-alive then another field", v10, List.of("keep-alive", "TE"), true),
                new KeepAliveCase("an empty value", v10, List.of(""), false));
    }

    /** The same answer as Netty's {@code HttpUtil.isKeepAlive}, which it stands in for on the request path. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("keepAliveCases")
    void keepAliveAnswersAsNetty(KeepAliveCase c) {
        HttpRequest request = new DefaultHttpRequest(c.version(), HttpMethod.GET, "/");
        c.connection().forEach(v -> request.headers().add(HttpHeaderNames.CONNECTION, v));
        assertEquals(c.expected(), HeaderRewriter.keepAlive(request), "Signalbox");
        assertEquals(c.expected(), HttpUtil.isKeepAlive(request), "Netty");
    }

    private static Map<String, String> headers(io.netty.handler.codec.http.HttpHeaders h) {
        Map<String, String> m = new TreeMap<>();
        h.forEach(e -> m.merge(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue(), (a, b) -> a + "," + b));
        return m;
    }
}
