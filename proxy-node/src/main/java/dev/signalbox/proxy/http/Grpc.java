package dev.signalbox.proxy.http;

import java.nio.charset.StandardCharsets;

/**
 * What the proxy needs to know of gRPC (grpc/doc/PROTOCOL-HTTP2.md): which requests are gRPC calls, their
 * {@code grpc-timeout}, the status a failure the proxy answers itself is given, and {@code grpc-message}'s
 * percent-encoding. A gRPC client reads only {@code grpc-status}, so a proxy's own answer to a gRPC request
 * must be one (HTTP 200, {@code content-type: application/grpc}, the status in the headers: "trailers-only"),
 * never an HTML or plain-text error page. Pure.
 */
public final class Grpc {
    public static final int UNKNOWN = 2;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int PERMISSION_DENIED = 7;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int UNAUTHENTICATED = 16;

    /** No {@code grpc-timeout}, or one that does not parse: the call has no deadline of its own. */
    public static final long NO_TIMEOUT = -1;

    private Grpc() {
    }

    /** Whether a request with this content-type is a gRPC call: {@code application/grpc}, maybe {@code +proto} etc. */
    public static boolean isGrpc(String contentType) {
        if (contentType == null || !contentType.regionMatches(true, 0, "application/grpc", 0, 16)) {
            return false;
        }
        return contentType.length() == 16 || contentType.charAt(16) == '+' || contentType.charAt(16) == ';';
    }

    /**
     * A {@code grpc-timeout} value in nanoseconds: {@code TimeoutValue TimeoutUnit}, at most 8 digits, then one of
     * {@code H M S m u n}; {@link #NO_TIMEOUT} when absent or malformed (the proxy then keeps its own timeouts).
     */
    public static long timeoutNanos(String header) {
        if (header == null) {
            return NO_TIMEOUT;
        }
        String v = header.trim();
        int digits = v.length() - 1;
        if (digits < 1 || digits > 8) {
            return NO_TIMEOUT;
        }
        long n = 0;
        for (int i = 0; i < digits; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return NO_TIMEOUT;
            }
            n = n * 10 + (c - '0');
        }
        long unit = switch (v.charAt(digits)) {
            case 'H' -> 3_600_000_000_000L;
            case 'M' -> 60_000_000_000L;
            case 'S' -> 1_000_000_000L;
            case 'm' -> 1_000_000L;
            case 'u' -> 1_000L;
            case 'n' -> 1L;
            default -> 0L;
        };
        // 99999999 hours is 3.6e17 ns: no overflow.
        return unit == 0 ? NO_TIMEOUT : n * unit;
    }

    /**
     * The gRPC status for an HTTP status the proxy would have answered (grpc/doc/http-grpc-status-mapping.md): a
     * backend that cannot be reached or has no endpoints (502, 503, 504) is UNAVAILABLE, which clients may retry.
     */
    public static int statusOf(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 429, 502, 503, 504 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }

    /** {@code grpc-message}'s Percent-Encoded form: UTF-8, every byte outside %x20-%x7E and '%' itself escaped. */
    public static String encodeMessage(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
