package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.Grpc;
import dev.signalbox.proxy.http.HeaderRewriter;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Responses the proxy makes itself: a status and a plain-text sentence saying why, or for a gRPC call a gRPC
 * status (see {@link Grpc}).
 */
final class Responses {
    private Responses() {
    }

    static FullHttpResponse plain(ByteBufAllocator alloc, HttpResponseStatus status, String reason,
                                  long snapshotVersion, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ByteBufUtil.writeUtf8(alloc, reason + "\n"));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HeaderRewriter.X_SIGNALBOX_VERSION, HeaderRewriter.versionValue(snapshotVersion));
        HttpUtil.setKeepAlive(r, keepAlive);
        return r;
    }

    /** 308 Permanent Redirect (RFC 9110 15.4.9): the method and body are kept, unlike 301. */
    static FullHttpResponse redirect(ByteBufAllocator alloc, String location, long snapshotVersion,
                                     boolean keepAlive) {
        return redirect(alloc, HttpResponseStatus.PERMANENT_REDIRECT.code(), location, snapshotVersion, keepAlive);
    }

    /** A redirect with {@code status} (3xx) to {@code location}; without a location (no Host to name), 400. */
    static FullHttpResponse redirect(ByteBufAllocator alloc, int status, String location, long snapshotVersion,
                                     boolean keepAlive) {
        if (location == null) {
            return plain(alloc, HttpResponseStatus.BAD_REQUEST, "this route redirects relative to the Host, and the "
                    + "request has none", snapshotVersion, keepAlive);
        }
        FullHttpResponse r = plain(alloc, HttpResponseStatus.valueOf(status), "redirecting to " + location,
                snapshotVersion, keepAlive);
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }

    /**
     * 204 No Content, for a CORS preflight the proxy answers itself ({@code RouteHeaders} adds the CORS fields): no
     * Content-Length, which RFC 9110 8.6 forbids on a 204.
     */
    static FullHttpResponse preflight(long snapshotVersion, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        r.headers().set(HeaderRewriter.X_SIGNALBOX_VERSION, snapshotVersion);
        HttpUtil.setKeepAlive(r, keepAlive);
        return r;
    }

    static final String GRPC_STATUS = "grpc-status";
    static final String GRPC_MESSAGE = "grpc-message";

    /**
     * A gRPC "trailers-only" answer: HTTP 200, content-type application/grpc, and {@code grpc-status} and
     * {@code grpc-message} in the headers, no body. Over HTTP/2 it is one HEADERS frame ending the stream.
     */
    static FullHttpResponse grpc(int grpcStatus, String message, long snapshotVersion, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
        r.headers().setInt(GRPC_STATUS, grpcStatus);
        r.headers().set(GRPC_MESSAGE, Grpc.encodeMessage(message));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        r.headers().set(HeaderRewriter.X_SIGNALBOX_VERSION, HeaderRewriter.versionValue(snapshotVersion));
        HttpUtil.setKeepAlive(r, keepAlive);
        return r;
    }

    /** The end of a gRPC response already under way, with the proxy's status in the trailers. */
    static LastHttpContent grpcTrailers(int grpcStatus, String message) {
        LastHttpContent last = new DefaultLastHttpContent();
        last.trailingHeaders().setInt(GRPC_STATUS, grpcStatus);
        last.trailingHeaders().set(GRPC_MESSAGE, Grpc.encodeMessage(message));
        return last;
    }
}
