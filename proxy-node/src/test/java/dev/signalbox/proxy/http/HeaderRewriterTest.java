package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HeaderRewriterTest {
    record RequestCase(String name, HttpVersion version, Map<String, String> in, Map<String, String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<RequestCase> requests() {
        return Stream.of(
                new RequestCase("Forwarded fields are added and end-to-end fields kept", HttpVersion.HTTP_1_1,
                        Map.of("host", "foo.com:8080", "accept", "text/plain"),
                        Map.of("host", "foo.com:8080", "accept", "text/plain", "x-forwarded-for", "192.0.2.7",
                                "x-forwarded-proto", "http", "x-forwarded-host", "foo.com:8080")),
                new RequestCase("The client is appended to an existing X-Forwarded-For", HttpVersion.HTTP_1_1,
                        Map.of("host", "a", "x-forwarded-for", "203.0.113.1"),
                        Map.of("host", "a", "x-forwarded-for", "203.0.113.1, 192.0.2.7", "x-forwarded-proto", "http",
                                "x-forwarded-host", "a")),
                new RequestCase("Hop-by-hop fields and those Connection names are removed", HttpVersion.HTTP_1_0,
                        Map.of("host", "a", "connection", "keep-alive, X-Secret", "x-secret", "s", "keep-alive", "300",
                                "te", "trailers", "upgrade", "websocket", "proxy-connection", "close"),
                        Map.of("host", "a", "x-forwarded-for", "192.0.2.7", "x-forwarded-proto", "http",
                                "x-forwarded-host", "a")),
                new RequestCase("A chunked request stays chunked on the backend hop", HttpVersion.HTTP_1_1,
                        Map.of("host", "a", "transfer-encoding", "chunked"),
                        Map.of("host", "a", "transfer-encoding", "chunked", "x-forwarded-for", "192.0.2.7",
                                "x-forwarded-proto", "http", "x-forwarded-host", "a")));
    }

    @org.junit.jupiter.api.Test
    void aRequestFromTheTlsListenerSaysHttpsAndLosesNettysHttp2Fields() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        r.headers().add("host", "a").add("x-http2-stream-id", "3").add("x-http2-scheme", "https");
        HeaderRewriter.forBackend(r, "192.0.2.7", "https");
        assertEquals(Map.of("host", "a", "x-forwarded-for", "192.0.2.7", "x-forwarded-proto", "https",
                "x-forwarded-host", "a"), headers(r.headers()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void rewritesRequests(RequestCase c) {
        HttpRequest r = new DefaultHttpRequest(c.version(), HttpMethod.POST, "/x");
        c.in().forEach(r.headers()::add);
        HeaderRewriter.forBackend(r, "192.0.2.7");
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
                new ResponseCase("A response without a length is chunked for an HTTP/1.1 client", HttpVersion.HTTP_1_1,
                        HttpMethod.GET, true, 200, Map.of(),
                        "{transfer-encoding=chunked, x-signalbox-version=9} keepAlive=true"),
                new ResponseCase("A response without a length closes an HTTP/1.0 client", HttpVersion.HTTP_1_0,
                        HttpMethod.GET, true, 200, Map.of("transfer-encoding", "chunked"),
                        "{x-signalbox-version=9} keepAlive=false"),
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

    private static Map<String, String> headers(io.netty.handler.codec.http.HttpHeaders h) {
        Map<String, String> m = new TreeMap<>();
        h.forEach(e -> m.merge(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue(), (a, b) -> a + "," + b));
        return m;
    }
}
