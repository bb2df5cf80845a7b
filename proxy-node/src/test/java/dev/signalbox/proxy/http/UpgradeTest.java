package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class UpgradeTest {
    record RequestCase(String name, HttpVersion version, HttpMethod method, List<String> fields, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<String> HANDSHAKE = List.of("Host: a", "Connection: Upgrade", "Upgrade: websocket",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13");

    private static List<String> with(String... more) {
        List<String> l = new java.util.ArrayList<>(HANDSHAKE);
        l.addAll(List.of(more));
        return l;
    }

    static Stream<RequestCase> requests() {
        HttpVersion v11 = HttpVersion.HTTP_1_1;
        HttpMethod get = HttpMethod.GET;
        return Stream.of(
                new RequestCase("A WebSocket handshake asks for websocket", v11, get, HANDSHAKE,
                        "websocket; Connection: upgrade; Upgrade: websocket"),
                new RequestCase("The client's spelling of the protocol is kept", v11, get,
                        List.of("Connection: keep-alive, Upgrade", "Upgrade: WebSocket"),
                        "WebSocket; Connection: upgrade; Upgrade: WebSocket"),
                new RequestCase("Without Connection: upgrade nothing is asked and Upgrade is dropped", v11, get,
                        List.of("Upgrade: websocket"), "none; Connection: -; Upgrade: -"),
                new RequestCase("h2c is not forwarded (only websocket is)", v11, get,
                        List.of("Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAAP__"),
                        "none; Connection: -; Upgrade: -"),
                new RequestCase("A list of protocols is not forwarded", v11, get,
                        List.of("Connection: upgrade", "Upgrade: websocket, h2c"), "none; Connection: -; Upgrade: -"),
                new RequestCase("HTTP/1.0 cannot upgrade", HttpVersion.HTTP_1_0, get, HANDSHAKE,
                        "none; Connection: -; Upgrade: -"),
                new RequestCase("A POST is not a WebSocket handshake", v11, HttpMethod.POST, HANDSHAKE,
                        "none; Connection: -; Upgrade: -"),
                new RequestCase("A handshake with a body is not one", v11, get, with("Content-Length: 5"),
                        "none; Connection: -; Upgrade: -"),
                new RequestCase("A handshake with a chunked body is not one", v11, get,
                        with("Transfer-Encoding: chunked"), "none; Connection: -; Transfer-Encoding: chunked; Upgrade: -"));
    }

    /** What the backend gets: the protocol asked for, and the Connection and Upgrade fields after the rewrite. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void requestsAskForTheUpgradeTheBackendIsTold(RequestCase c) {
        HttpRequest r = new DefaultHttpRequest(c.version(), c.method(), "/ws", false);
        for (String f : c.fields()) {
            r.headers().add(f.substring(0, f.indexOf(':')), f.substring(f.indexOf(':') + 1).trim());
        }
        String protocol = Upgrade.requested(r);
        HeaderRewriter.forBackend(r, new HeaderRewriter.Forwarding("192.0.2.7", "http", 80, TrustedProxies.NONE));
        if (protocol != null) {
            Upgrade.forward(r.headers(), protocol);
        }
        String got = (protocol == null ? "none" : protocol) + "; Connection: "
                + r.headers().get("connection", "-")
                + (r.headers().contains("transfer-encoding") ? "; Transfer-Encoding: " + r.headers().get("transfer-encoding") : "")
                + "; Upgrade: " + r.headers().get("upgrade", "-");
        assertEquals(c.expected(), got);
    }

    record AnswerCase(String name, String asked, int status, String upgrade, Upgrade.Answer expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<AnswerCase> answers() {
        return Stream.of(
                new AnswerCase("A 101 to websocket switches", "websocket", 101, "websocket", Upgrade.Answer.SWITCH),
                new AnswerCase("The backend's spelling may differ in case", "websocket", 101, "WebSocket",
                        Upgrade.Answer.SWITCH),
                new AnswerCase("A 200 to a handshake is an ordinary response", "websocket", 200, null,
                        Upgrade.Answer.ORDINARY),
                new AnswerCase("A 403 to a handshake is an ordinary response", "websocket", 403, null,
                        Upgrade.Answer.ORDINARY),
                new AnswerCase("A 101 to another protocol is unexpected", "websocket", 101, "h2c",
                        Upgrade.Answer.UNEXPECTED),
                new AnswerCase("A 101 without Upgrade is unexpected", "websocket", 101, null, Upgrade.Answer.UNEXPECTED),
                new AnswerCase("A 101 to a request that asked for nothing is unexpected", null, 101, "websocket",
                        Upgrade.Answer.UNEXPECTED),
                new AnswerCase("A 200 to an ordinary request is ordinary", null, 200, null, Upgrade.Answer.ORDINARY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void answersSwitchOnlyToWhatWasAsked(AnswerCase c) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(c.status()));
        if (c.upgrade() != null) {
            r.headers().set("upgrade", c.upgrade());
        }
        assertEquals(c.expected(), Upgrade.answer(r, c.asked()));
    }

    @org.junit.jupiter.api.Test
    void theClientIsToldTheSwitchTheBackendMade() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().set("upgrade", "websocket").set("connection", "Upgrade").set("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        HeaderRewriter.forClient(r, HttpVersion.HTTP_1_1, HttpMethod.GET, true, 7);
        Upgrade.confirm(r, "websocket");
        assertEquals("connection=upgrade, sec-websocket-accept=s3pPLMBiTxaQ9kYGzzhZRbK+xOo=, upgrade=websocket, "
                + "x-signalbox-version=7", new java.util.TreeMap<>(java.util.Map.ofEntries(
                r.headers().entries().toArray(java.util.Map.Entry[]::new))).toString().replaceAll("[{}]", ""));
    }
}
