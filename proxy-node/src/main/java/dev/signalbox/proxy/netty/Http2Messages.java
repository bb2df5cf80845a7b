package dev.signalbox.proxy.netty;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * A client's HTTP/2 request frames as the HTTP/1 objects an {@link Exchange} works with, and its response objects as
 * frames: what Netty's {@code Http2StreamFrameToHttpObjectCodec} does on a server's stream channel, for a stream
 * handled at the frame level ({@link Http2Streams}), with the same conversions ({@link HttpConversionUtil}, header
 * validation on). Buffers change hands without a copy or an extra reference: a DATA frame's content becomes the
 * content's, and a response part's content the DATA frame's.
 */
final class Http2Messages {
    /**
     * Whether a response's fields are validated again as they become HTTP/2 fields: no, since each was validated as
     * it entered its HTTP/1 headers (the backend codecs' and the proxy's own headers validate names and values), and
     * the conversion still lowercases names and drops connection-specific fields. Checking each name and value twice
     * was about 40 % of the conversion (async-profiler, h2 x10, 2026-12-07). A request's fields are validated as they
     * are converted ({@link #request}): they go on to the backend as HTTP/1.1 text.
     */
    private static final boolean REVALIDATE = false;

    private Http2Messages() {
    }

    /**
     * The request a stream's first HEADERS frame opens: whole when it ends the stream; otherwise a head, chunked when
     * it declares no length (the DATA frames that follow are its body).
     */
    static HttpRequest request(int streamId, Http2Headers headers, boolean endStream)
            throws Http2Exception {
        try {
            HttpRequest head = HttpConversionUtil.toHttpRequest(streamId, headers, true);
            if (endStream) {
                // Whole, without a body: the same fields as toFullHttpRequest gives, without the empty pooled buffer it
                // would take for the content (and give back as the exchange turns the request into a head).
                return new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                        Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
            }
            if (!HttpUtil.isContentLengthSet(head)) {
                head.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            return head;
        } catch (RuntimeException e) {
            // HttpConversionUtil's way of refusing a head without :method or :path, or with a method that is no token.
            throw malformed(streamId, e);
        }
    }

    private static Http2Exception malformed(int streamId, RuntimeException e) {
        return Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, e, "malformed request: %s",
                e.getMessage());
    }

    /** A HEADERS frame after the request's head, which ends the stream: its trailers. */
    static LastHttpContent trailers(int streamId, Http2Headers headers) throws Http2Exception {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true);
        try {
            HttpConversionUtil.addHttp2ToHttpHeaders(streamId, headers, last.trailingHeaders(), HttpVersion.HTTP_1_1,
                    true, true);
        } catch (RuntimeException e) {
            throw malformed(streamId, e);
        }
        return last;
    }

    /** A DATA frame as a part of the request body, the last when it ends the stream; takes the frame's buffer. */
    static HttpContent content(Http2DataFrame data) {
        return data.isEndStream() ? new DefaultLastHttpContent(data.content(), true)
                : new DefaultHttpContent(data.content());
    }

    /**
     * The frames that carry a response part, in order (a head, a body or its end, trailers); they take the part's
     * buffer, so the part itself needs no release. An interim response (1xx but 101) is a HEADERS frame that does not
     * end the stream; a part ends the stream when nothing can follow it.
     */
    static Http2StreamFrame[] frames(HttpObject part) {
        Http2StreamFrame head = null;
        if (part instanceof HttpResponse response) {
            int code = response.status().code();
            boolean interim = code >= 100 && code < 200 && code != 101;
            boolean alone = interim || part instanceof FullHttpMessage full && !full.content().isReadable()
                    && full.trailingHeaders().isEmpty();
            head = new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers((HttpMessage) part, REVALIDATE),
                    alone && !interim);
            if (alone) {
                // Whatever it holds is empty; releasing it now leaves nothing behind.
                ReferenceCountUtil.release(part);
                return new Http2StreamFrame[] {head};
            }
        }
        Http2StreamFrame body = null;
        Http2StreamFrame trailers = null;
        if (part instanceof LastHttpContent last) {
            boolean noTrailers = last.trailingHeaders().isEmpty();
            // An end of the body with neither bytes nor trailers is an empty DATA frame ending the stream (a whole
            // message's head already said so when it had neither).
            if (last.content().isReadable() || (noTrailers && !(part instanceof FullHttpMessage))) {
                body = new DefaultHttp2DataFrame(last.content(), noTrailers);
            } else {
                last.release();
            }
            if (!noTrailers) {
                trailers = new DefaultHttp2HeadersFrame(
                        HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), REVALIDATE), true);
            }
        } else if (part instanceof HttpContent content) {
            body = new DefaultHttp2DataFrame(content.content(), false);
        }
        return nonNull(head, body, trailers);
    }

    private static Http2StreamFrame[] nonNull(Http2StreamFrame a, Http2StreamFrame b, Http2StreamFrame c) {
        Http2StreamFrame[] out = new Http2StreamFrame[(a == null ? 0 : 1) + (b == null ? 0 : 1) + (c == null ? 0 : 1)];
        int i = 0;
        if (a != null) {
            out[i++] = a;
        }
        if (b != null) {
            out[i++] = b;
        }
        if (c != null) {
            out[i] = c;
        }
        return out;
    }
}
