package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestChecksTest {
    record Case(String name, HttpVersion version, List<String> fields, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        HttpVersion v11 = HttpVersion.HTTP_1_1;
        return Stream.of(
                new Case("A request with a host and a length passes", v11, List.of("Host: a.test", "Content-Length: 5"), "ok"),
                new Case("Chunked alone passes", v11, List.of("Host: a.test", "Transfer-Encoding: chunked"), "ok"),
                new Case("Chunked in any case and spacing passes", v11, List.of("Host: a", "Transfer-Encoding:  Chunked "), "ok"),
                new Case("Chunked that is not the final coding is refused", v11,
                        List.of("Host: a", "Transfer-Encoding: chunked, identity"), "400 chunked is not the final"),
                new Case("A coding other than chunked is not implemented", v11,
                        List.of("Host: a", "Transfer-Encoding: gzip, chunked"), "501 transfer codings other than chunked"),
                new Case("Chunked twice is not implemented", v11,
                        List.of("Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
                        "501 transfer codings other than chunked"),
                new Case("A lone coding that is not chunked is refused", v11, List.of("Host: a", "Transfer-Encoding: gzip"),
                        "400 chunked is not the final"),
                new Case("Transfer-Encoding in HTTP/1.0 is refused", HttpVersion.HTTP_1_0,
                        List.of("Host: a", "Transfer-Encoding: chunked"), "400 Transfer-Encoding in an HTTP/1.0 request"),
                new Case("HTTP/1.1 without Host is refused", v11, List.of(), "400 an HTTP/1.1 request needs a Host"),
                new Case("HTTP/1.0 without Host passes", HttpVersion.HTTP_1_0, List.of(), "ok"),
                new Case("Two different Host fields are refused", v11, List.of("Host: a.test", "Host: b.test"),
                        "400 more than one Host"),
                new Case("Two identical Host fields are refused too, as nginx does", v11,
                        List.of("Host: a.test", "Host: A.test"), "400 more than one Host"),
                new Case("A Host with a path is refused", v11, List.of("Host: a.test/../admin"), "400 Host is not a host"),
                new Case("A Host with a space is refused", v11, List.of("Host: de mo"), "400 Host is not a host"),
                new Case("A Host with a path is refused even without dots", v11, List.of("Host: demo/x"),
                        "400 Host is not a host"),
                new Case("A Host with a control character is refused", v11, List.of("Host: de\u0001mo"),
                        "400 Host is not a host"),
                new Case("A Host with userinfo is refused", v11, List.of("Host: admin@a.test"), "400 Host is not a host"),
                new Case("An IPv6 literal with a port passes", v11, List.of("Host: [::1]:8080"), "ok"),
                new Case("An empty Host passes", v11, List.of("Host: "), "ok"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checksTheHead(Case c) {
        HttpRequest r = new DefaultHttpRequest(c.version(), HttpMethod.POST, "/", false);
        for (String f : c.fields()) {
            r.headers().add(f.substring(0, f.indexOf(':')), f.substring(f.indexOf(':') + 1).trim());
        }
        RequestChecks.Refusal refusal = RequestChecks.check(r);
        String got = refusal == null ? "ok" : refusal.status().code() + " " + refusal.reason();
        assertEquals(c.expected(), got.startsWith(c.expected()) ? c.expected() : got);
    }
}
