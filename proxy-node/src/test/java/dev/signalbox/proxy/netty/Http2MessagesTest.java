package dev.signalbox.proxy.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Http2Messages} against the codec it stands in for, Netty's {@code Http2StreamFrameToHttpObjectCodec} on a
 * server's stream: for each row, the same request objects from the same frames, and the same frames from the same
 * response parts. Every buffer is released (the module's tests run with paranoid leak detection).
 */
class Http2MessagesTest {
    private static final int STREAM = 3;
    /** The stream Netty's codec reads the id from (it names it in the x-http2-stream-id field, as ours does). */
    private static final Http2FrameStream FRAME_STREAM = new Http2FrameStream() {
        @Override
        public int id() {
            return STREAM;
        }

        @Override
        public Http2Stream.State state() {
            return Http2Stream.State.OPEN;
        }
    };

    record RequestCase(String name, Http2Headers headers, boolean endStream) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Http2Headers request(String method, String path, String... fields) {
        Http2Headers h = new DefaultHttp2Headers().method(method).path(path).scheme("https").authority("demo.example");
        for (int i = 0; i < fields.length; i += 2) {
            h.add(fields[i], fields[i + 1]);
        }
        return h;
    }

    static Stream<RequestCase> requests() {
        return Stream.of(
                new RequestCase("a GET ending its stream is whole", request("GET", "/a?x=1", "accept", "*/*"), true),
                new RequestCase("a POST with a length is a head", request("POST", "/up", "content-length", "5"), false),
                new RequestCase("a POST without a length is a chunked head", request("POST", "/up",
                        "content-type", "application/grpc", "te", "trailers"), false),
                new RequestCase("repeated fields and cookies stay", request("GET", "/", "cookie", "a=1", "cookie", "b=2",
                        "x-many", "1", "x-many", "2"), true),
                new RequestCase("an absolute path with a query", request("DELETE", "/items/7?force=true"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void requestAsNettysCodec(RequestCase c) throws Http2Exception {
        HttpRequest ours = Http2Messages.request(STREAM, c.headers(), c.endStream());
        HttpRequest netty = (HttpRequest) decodeWithNetty(
                new DefaultHttp2HeadersFrame(c.headers(), c.endStream()).stream(FRAME_STREAM));
        try {
            assertEquals(netty instanceof FullHttpRequest, ours instanceof FullHttpRequest, "whole or a head");
            assertEquals(netty.method(), ours.method());
            assertEquals(netty.uri(), ours.uri());
            assertEquals(netty.protocolVersion(), ours.protocolVersion());
            assertEquals(fields(netty.headers()), fields(ours.headers()));
        } finally {
            ReferenceCountUtil.release(ours);
            ReferenceCountUtil.release(netty);
        }
    }

    /** Heads Netty's conversion refuses (with a NullPointerException or IllegalArgumentException): a stream error. */
    static Stream<Http2Headers> malformedRequests() {
        return Stream.of(
                new DefaultHttp2Headers().path("/").scheme("https").authority("a"),
                new DefaultHttp2Headers().method("GET").scheme("https").authority("a"),
                new DefaultHttp2Headers().method("GE T").path("/").scheme("https").authority("a"));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests")
    void aMalformedRequestIsAStreamError(Http2Headers headers) {
        for (boolean endStream : new boolean[] {true, false}) {
            Http2Exception e = assertThrows(Http2Exception.class,
                    () -> Http2Messages.request(STREAM, headers, endStream));
            assertEquals(Http2Error.PROTOCOL_ERROR, e.error());
            assertInstanceOf(Http2Exception.StreamException.class, e);
        }
    }

    @Test
    void trailersAsNettysCodec() throws Http2Exception {
        Http2Headers trailers = new DefaultHttp2Headers().add("grpc-status", "0").add("x-checksum", "abc");
        LastHttpContent ours = Http2Messages.trailers(STREAM, trailers);
        LastHttpContent netty = (LastHttpContent) decodeWithNetty(
                new DefaultHttp2HeadersFrame(trailers, true).stream(FRAME_STREAM));
        assertEquals(fields(netty.trailingHeaders()), fields(ours.trailingHeaders()));
        assertEquals(0, ours.content().readableBytes());
        netty.release();
    }

    @Test
    void dataTakesTheFramesBuffer() {
        ByteBuf bytes = Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII);
        HttpContent part = Http2Messages.content(new DefaultHttp2DataFrame(bytes, false));
        assertEquals(false, part instanceof LastHttpContent);
        assertEquals(bytes, part.content());
        assertEquals(1, bytes.refCnt(), "no extra reference");
        part.release();
        ByteBuf end = Unpooled.copiedBuffer("z", StandardCharsets.US_ASCII);
        HttpContent last = Http2Messages.content(new DefaultHttp2DataFrame(end, true));
        assertInstanceOf(LastHttpContent.class, last);
        assertEquals(end, last.content());
        last.release();
    }

    record ResponseCase(String name, Supplier<HttpObject> part) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    static Stream<ResponseCase> responses() {
        return Stream.of(
                new ResponseCase("a whole response with a body: head, then the body ending the stream", () -> {
                    DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            text("ok"));
                    r.headers().set("content-type", "text/plain").set("x-request-id", "r1");
                    return r;
                }),
                new ResponseCase("a whole response without a body: the head ends the stream", () ->
                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT)),
                new ResponseCase("connection-specific fields are left out", () -> {
                    DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            text("x"));
                    r.headers().set("connection", "keep-alive").set("keep-alive", "timeout=5")
                            .set("transfer-encoding", "chunked").set("x-kept", "1");
                    return r;
                }),
                new ResponseCase("a head alone does not end the stream", () -> {
                    DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    r.headers().set("content-length", "10");
                    return r;
                }),
                new ResponseCase("an interim 100 is a head that does not end the stream", () ->
                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE)),
                new ResponseCase("a part of the body", () -> new DefaultHttpContent(text("chunk"))),
                new ResponseCase("the body's empty end: an empty DATA frame ending the stream", () ->
                        new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER)),
                new ResponseCase("the body's last bytes", () -> new DefaultLastHttpContent(text("end"))),
                new ResponseCase("gRPC trailers after the body: HEADERS ending the stream", () -> {
                    DefaultLastHttpContent t = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                    t.trailingHeaders().set("grpc-status", "0").set("grpc-message", "");
                    return t;
                }),
                new ResponseCase("last bytes and trailers", () -> {
                    DefaultLastHttpContent t = new DefaultLastHttpContent(text("tail"));
                    t.trailingHeaders().set("grpc-status", "13");
                    return t;
                }),
                new ResponseCase("a whole response with a body and trailers", () -> {
                    DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            text("body"));
                    r.trailingHeaders().set("grpc-status", "0");
                    return r;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void framesAsNettysCodec(ResponseCase c) {
        List<String> ours = new ArrayList<>();
        for (Http2StreamFrame f : Http2Messages.frames(c.part().get())) {
            ours.add(describe(f));
        }
        EmbeddedChannel netty = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(true));
        netty.writeOutbound(c.part().get());
        List<String> theirs = new ArrayList<>();
        for (Object f; (f = netty.readOutbound()) != null; ) {
            theirs.add(describe((Http2StreamFrame) f));
        }
        netty.finishAndReleaseAll();
        assertEquals(theirs, ours);
    }

    /** A frame as text, its buffer released: kind, end of stream, fields or bytes. */
    private static String describe(Http2StreamFrame f) {
        try {
            if (f instanceof Http2HeadersFrame h) {
                Map<String, String> m = new TreeMap<>();
                h.headers().forEach(e -> m.merge(e.getKey().toString(), e.getValue().toString(), (a, b) -> a + "," + b));
                return "HEADERS end=" + h.isEndStream() + " " + m;
            }
            Http2DataFrame d = (Http2DataFrame) f;
            return "DATA end=" + d.isEndStream() + " " + d.content().toString(StandardCharsets.UTF_8);
        } finally {
            ReferenceCountUtil.release(f);
        }
    }

    private static HttpObject decodeWithNetty(Http2StreamFrame frame) {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(true));
        ch.writeInbound(frame);
        HttpObject out = ch.readInbound();
        ch.finishAndReleaseAll();
        return out;
    }

    private static Map<String, String> fields(io.netty.handler.codec.http.HttpHeaders h) {
        Map<String, String> m = new TreeMap<>();
        h.forEach(e -> m.merge(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue(), (a, b) -> a + "," + b));
        return m;
    }
}
