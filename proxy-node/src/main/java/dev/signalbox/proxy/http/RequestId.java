package dev.signalbox.proxy.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request's {@code X-Request-ID}, as ingress-nginx's {@code $req_id}: a client's is kept when it is well formed
 * (1 to {@link #MAX_LENGTH} characters of letters, digits and {@code - _ . : + = / @}, so it cannot inject into a log
 * line or a header), otherwise replaced by 128 random bits in 32 hex digits. The proxy sends it to the backend,
 * echoes it in the response and writes it in the access log. On the event loop: no allocation beyond the id.
 */
public final class RequestId {
    public static final AsciiString HEADER = AsciiString.cached("x-request-id");
    public static final int MAX_LENGTH = 128;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private RequestId() {
    }

    /** The request's id: its own when well formed, else a new one, set on {@code headers} either way. */
    public static String ensure(HttpHeaders headers) {
        String given = headers.get(HEADER);
        if (given != null && wellFormed(given) && headers.getAll(HEADER).size() == 1) {
            return given;
        }
        String id = generate();
        headers.set(HEADER, id);
        return id;
    }

    public static boolean wellFormed(CharSequence id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '=' || c == '/' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * 128 random bits as 32 lower-case hex digits (not a secret: an id to correlate logs). Written as bytes: a
     * Latin-1 string is its bytes copied, where a {@code char[]} would be made and then compressed.
     */
    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] out = new byte[32];
        hex(r.nextLong(), out, 0);
        hex(r.nextLong(), out, 16);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static void hex(long v, byte[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}
