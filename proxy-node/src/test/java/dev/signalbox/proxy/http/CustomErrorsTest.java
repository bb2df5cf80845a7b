package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.snapshot.ErrorPages;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request that asks a route's default backend for the error page, as ingress-nginx's
 * {@code location @custom_<upstream>_<code>} sends it: one row a case, the request line and every field compared.
 */
class CustomErrorsTest {
    private static final ErrorPages PAGES = new ErrorPages("c/shop/errors:80", List.of(404, 503), "shop", "web", "app",
            "http");

    /** A request as routed: the client's target and fields. */
    private static HttpRequest routed(HttpMethod method, String uri, String... fields) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < fields.length; i += 2) {
            r.headers().add(fields[i], fields[i + 1]);
        }
        return r;
    }

    /** The same request as it went to the backend: rewritten, its Host changed (upstream-vhost), identity written. */
    private static HttpRequest sent(HttpMethod method, String... more) {
        HttpRequest r = routed(method, "/rewritten", "Host", "app.internal", "X-Forwarded-For", "10.1.1.1",
                "X-Request-ID", "req-1", "X-Code", "999");
        for (int i = 0; i < more.length; i += 2) {
            r.headers().add(more[i], more[i + 1]);
        }
        return r;
    }

    private static List<String> wire(HttpRequest r) {
        List<String> out = new ArrayList<>(List.of(r.method() + " " + r.uri() + " " + r.protocolVersion()));
        for (Map.Entry<String, String> e : r.headers()) {
            out.add(e.getKey() + ": " + e.getValue());
        }
        return out;
    }

    private static List<String> expected(String line, String format, String uri) {
        // The client's Host replaces the one the backend got (at the end: set removes, then adds).
        List<String> out = new ArrayList<>(List.of(line, "X-Forwarded-For: 10.1.1.1", "X-Request-ID: req-1",
                "host: shop.example", "X-Code: 404"));
        if (format != null) {
            out.add("X-Format: " + format);
        }
        out.addAll(List.of("X-Original-URI: " + uri, "X-Namespace: shop", "X-Ingress-Name: web", "X-Service-Name: app",
                "X-Service-Port: http"));
        return out;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a GET is asked for / with its query, the client's Accept as X-Format and its Host",
                        routed(HttpMethod.GET, "/a/b?x=1&y=2", "Host", "shop.example", "Accept", "application/json"),
                        sent(HttpMethod.GET),
                        expected("GET /?x=1&y=2 HTTP/1.1", "application/json", "/a/b?x=1&y=2")),
                Arguments.of("without Accept there is no X-Format (nginx sends no field for an empty variable)",
                        routed(HttpMethod.GET, "/a", "Host", "shop.example"),
                        sent(HttpMethod.GET, "X-Format", "from-client"),
                        expected("GET / HTTP/1.1", null, "/a")),
                Arguments.of("a POST keeps its method and loses its body's framing, Expect and upgrade fields",
                        routed(HttpMethod.POST, "/upload", "Host", "shop.example"),
                        sent(HttpMethod.POST, "Content-Length", "12", "Transfer-Encoding", "chunked", "Expect",
                                "100-continue", "Connection", "upgrade", "Upgrade", "websocket"),
                        expected("POST / HTTP/1.1", null, "/upload")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void asksTheDefaultBackendAsIngressNginxDoes(String name, HttpRequest routed, HttpRequest sent, List<String> expected) {
        assertEquals(expected, wire(CustomErrors.of(PAGES, routed).request(sent, 404)));
    }

    static Stream<Arguments> interceptions() {
        return Stream.of(
                Arguments.of("a listed status is replaced", 404, true),
                Arguments.of("another listed status is replaced", 503, true),
                Arguments.of("a status not listed is passed on", 500, false),
                Arguments.of("a success is passed on", 200, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interceptions")
    void replacesOnlyTheListedStatuses(String name, int status, boolean replaced) {
        assertEquals(replaced, CustomErrors.of(PAGES, routed(HttpMethod.GET, "/")).intercepts(status));
    }
}
