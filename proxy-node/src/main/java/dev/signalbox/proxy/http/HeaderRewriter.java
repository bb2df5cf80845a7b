package dev.signalbox.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rewrites message heads as they cross the proxy: removes the fields that belong to one connection, adds
 * the X-Forwarded-* fields and re-frames the body for the next hop. Pure functions that edit the head in
 * place; callers on an event loop own the message.
 */
public final class HeaderRewriter {
    public static final AsciiString X_SIGNALBOX_VERSION = AsciiString.cached("x-signalbox-version");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    /** Connection-specific fields (RFC 9110 7.6.1), plus those any Connection field names. */
    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
            AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"), HttpHeaderNames.TE,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    private HeaderRewriter() {
    }

    public static void stripHopByHop(HttpHeaders headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    named.add(t);
                }
            }
        }
        for (String n : named) {
            headers.remove(n);
        }
        for (AsciiString n : HOP_BY_HOP) {
            headers.remove(n);
        }
    }

    /** {@link #forBackend(HttpRequest, String, String)} for a request that came over plain HTTP. */
    public static void forBackend(HttpRequest request, String clientAddress) {
        forBackend(request, clientAddress, "http");
    }

    /**
     * Prepares a client's request for the backend: HTTP/1.1 with a persistent connection, the hop-by-hop
     * fields removed, chunked framing kept when the client used it, and X-Forwarded-For/Proto/Host set.
     * The {@code x-http2-*} fields Netty adds when it converts an HTTP/2 stream are removed too, so a
     * backend sees the same request whichever version the client spoke (and a client cannot fake them).
     *
     * @param scheme "https" on the TLS listener, else "http"
     */
    public static void forBackend(HttpRequest request, String clientAddress, String scheme) {
        HttpHeaders h = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String host = h.get(HttpHeaderNames.HOST);
        stripHopByHop(h);
        for (HttpConversionUtil.ExtensionHeaderNames n : HttpConversionUtil.ExtensionHeaderNames.values()) {
            h.remove(n.text());
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (chunked) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        String prior = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, prior == null || prior.isBlank() ? clientAddress : prior + ", " + clientAddress);
        h.set(X_FORWARDED_PROTO, scheme);
        if (host != null) {
            h.set(X_FORWARDED_HOST, host);
        }
    }

    /**
     * Prepares a backend's response head for the client.
     *
     * @param clientVersion   the version the client spoke; an HTTP/1.0 client cannot read chunked bodies
     * @param requestMethod   the client's method; a HEAD response has no body whatever its fields say
     * @param clientKeepAlive whether the client connection stays open after this response
     * @return whether the client connection may stay open after this response
     */
    public static boolean forClient(HttpResponse response, HttpVersion clientVersion, HttpMethod requestMethod,
                                    boolean clientKeepAlive, long snapshotVersion) {
        HttpHeaders h = response.headers();
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        stripHopByHop(h);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        int code = response.status().code();
        boolean bodyless = code < 200 || code == 204 || code == 304 || HttpMethod.HEAD.equals(requestMethod);
        boolean keepAlive = clientKeepAlive;
        if (!hasLength && !bodyless) {
            if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                // RFC 9112 6.3: without a length or chunking, only closing the connection ends the body.
                keepAlive = false;
            }
        }
        if (code >= 200) {
            HttpUtil.setKeepAlive(h, clientVersion, keepAlive);
        }
        h.set(X_SIGNALBOX_VERSION, snapshotVersion);
        return keepAlive;
    }
}
