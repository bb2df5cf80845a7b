package dev.signalbox.proxy.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.routing.RequestTarget;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClientCertificatesTest {
    /**
     * @param location the refusal's error page, or null; {@code refused} false for a request that was not refused
     * @param expected "answered", or the request as it goes on: method, target, and the path routed on
     */
    record Case(String name, boolean refused, String location, HttpMethod method, List<String> fields, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String page = "/errors/cert?why=tls";
        return Stream.of(
                new Case("A request that was not refused goes on untouched", false, null, HttpMethod.GET, List.of(),
                        "answered"),
                new Case("A refusal without an error page is answered", true, null, HttpMethod.GET, List.of(), "answered"),
                new Case("An error page that is a URL is answered (a 302)", true, "https://errors.example/cert",
                        HttpMethod.GET, List.of(), "answered"),
                new Case("A GET is served the error page path in place", true, page, HttpMethod.GET, List.of(),
                        "GET /errors/cert?why=tls /errors/cert"),
                new Case("A DELETE without a body becomes a GET of the page, as nginx's error_page does", true, page,
                        HttpMethod.DELETE, List.of("Content-Length: 0"), "GET /errors/cert?why=tls /errors/cert"),
                new Case("A HEAD stays a HEAD", true, page, HttpMethod.HEAD, List.of(), "HEAD /errors/cert?why=tls /errors/cert"),
                new Case("A POST with a body is answered (a 302 to the page): its body is not dropped here", true, page,
                        HttpMethod.POST, List.of("Content-Length: 5"), "answered"),
                new Case("A chunked body is answered too", true, page, HttpMethod.PUT,
                        List.of("Transfer-Encoding: chunked"), "answered"),
                new Case("The page path is normalised as any target", true, "/a/../errors//cert", HttpMethod.GET, List.of(),
                        "GET /errors/cert /errors/cert"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void internalRedirect(Case c) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, c.method(), "/private?x=1", false);
        for (String f : c.fields()) {
            r.headers().add(f.substring(0, f.indexOf(':')), f.substring(f.indexOf(':') + 1).trim());
        }
        ClientCertificates.Refusal refusal = c.refused() ? new ClientCertificates.Refusal(HttpResponseStatus.BAD_REQUEST,
                "No required SSL certificate was sent", c.location()) : null;
        RequestTarget.Valid page = ClientCertificates.internalRedirect(refusal, r);
        assertEquals(c.expected(), page == null ? "answered" : r.method() + " " + r.uri() + " " + page.path());
    }
}
