package dev.signalbox.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks a request head must pass before it is routed, where the decoder is more lenient than a proxy
 * may be: framing a backend could read differently, and a Host that is missing, repeated or not a host.
 * Such a request is refused and the connection closed after the answer, since where its body ends is not
 * known for sure (RFC 9112 6.3). Pure.
 */
public final class RequestChecks {
    /** The answer to a refused request; the connection is closed after it. */
    public record Refusal(HttpResponseStatus status, String reason) {
    }

    private RequestChecks() {
    }

    /** Why {@code request} is refused, or null when it may be routed. */
    public static Refusal check(HttpRequest request) {
        Refusal framing = transferCoding(request);
        return framing != null ? framing : host(request);
    }

    /**
     * Whether a request that passed {@link #check} has no body (RFC 9112 6.3: neither Transfer-Encoding nor a
     * Content-Length other than 0). Netty's HTTP/1.1 decoder then delivers its head and an empty end.
     */
    public static boolean hasNoBody(HttpRequest request) {
        // The decoder left at most one Content-Length, a valid number.
        return !request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) && HttpUtil.getContentLength(request, 0L) == 0;
    }

    private static Refusal transferCoding(HttpRequest request) {
        List<String> codings = new ArrayList<>();
        for (String value : request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            for (String c : value.split(",")) {
                if (!c.isBlank()) {
                    codings.add(c.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (codings.isEmpty()) {
            return null;
        }
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 6.1): its framing is not reliable");
        }
        if (!codings.get(codings.size() - 1).equals("chunked")) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "chunked is not the final transfer coding (RFC 9112 6.3): the body length cannot be determined");
        }
        if (codings.size() > 1) {
            // RFC 9112 6.1: a server that does not understand a transfer coding answers 501.
            return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED,
                    "transfer codings other than chunked are not supported: " + String.join(", ", codings));
        }
        return null;
    }

    private static Refusal host(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) {
            return request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? null
                    : new Refusal(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs a Host field (RFC 9112 3.2)");
        }
        if (hosts.size() > 1) {
            // RFC 9112 3.2: "more than one Host header field line" is 400 even when they agree (nginx: "client sent
            // duplicate host header"). HTTP/2 arrives here with one Host, Netty's conversion sets it from :authority.
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "more than one Host field (RFC 9112 3.2)");
        }
        String host = hosts.get(0);
        for (int i = 0; i < host.length(); i++) {
            if (!hostChar(host.charAt(i))) {
                return new Refusal(HttpResponseStatus.BAD_REQUEST,
                        "Host is not a host name or address with an optional port (RFC 9110 7.2)");
            }
        }
        return null;
    }

    /** The characters of {@code uri-host [ ":" port ]} (RFC 3986 3.2.2): reg-name, IP literals, the port. */
    private static boolean hostChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
    }
}
