package dev.signalbox.rawhttp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads HTTP/1.1 messages off a raw socket exactly as they arrived: for tests that must see the bytes a
 * peer put on the wire (framing, duplicate fields) rather than what a client library makes of them, and for
 * {@link RawHttpConnection}. A body is framed the way RFC 9112 6.3 says a recipient must: chunked, else
 * Content-Length, else (a response only) until the connection closes. A body cut short is an
 * {@link EOFException}. Stateless; the stream is the caller's.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** How the body of a message was delimited. */
    public enum Framing { NONE, CONTENT_LENGTH, CHUNKED, UNTIL_CLOSE }

    /** One message: its start line, its fields in order (names lower-cased), its body and how it was framed. */
    public record Message(String startLine, List<Field> fields, byte[] body, Framing framing) {
        public Message {
            fields = List.copyOf(fields);
        }

        /** Every value of {@code name}, in order. */
        public List<String> all(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            return fields.stream().filter(f -> f.name().equals(n)).map(Field::value).toList();
        }

        /** The first value of {@code name}, or null. */
        public String get(String name) {
            List<String> values = all(name);
            return values.isEmpty() ? null : values.get(0);
        }

        /** A response's status code. */
        public int status() {
            String[] parts = startLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IllegalStateException("not an HTTP/1.x status line: " + startLine);
            }
            return Integer.parseInt(parts[1]);
        }

        /** Whether the sender closes the connection after this message (a Connection: close token). */
        public boolean closesConnection() {
            return all("connection").stream().flatMap(v -> Arrays.stream(v.split(",")))
                    .anyMatch(t -> t.trim().equalsIgnoreCase("close"));
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public record Field(String name, String value) {
    }

    /** Reads one request; returns null when the peer closed the connection before sending any byte of one. */
    public static Message readRequest(InputStream in) throws IOException {
        return read(in, true, false);
    }

    /**
     * Reads one response; {@code headRequest} says it answers a HEAD (no body whatever its fields say).
     * Returns null when the peer closed the connection before sending any byte of one.
     */
    public static Message readResponse(InputStream in, boolean headRequest) throws IOException {
        return read(in, false, headRequest);
    }

    private static Message read(InputStream in, boolean request, boolean headRequest) throws IOException {
        String start = line(in, true);
        if (start == null) {
            return null;
        }
        List<Field> fields = new ArrayList<>();
        for (String l; !(l = line(in, false)).isEmpty(); ) {
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header field: " + l);
            }
            fields.add(new Field(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim()));
        }
        Message head = new Message(start, fields, new byte[0], Framing.NONE);
        int status = request ? 0 : Integer.parseInt(start.split(" ")[1]);
        if (headRequest || status / 100 == 1 || status == 204 || status == 304) {
            return head;
        }
        String te = head.get("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).endsWith("chunked")) {
            return new Message(start, fields, chunked(in), Framing.CHUNKED);
        }
        String length = head.get("content-length");
        if (length != null) {
            return new Message(start, fields, body(in, Integer.parseInt(length)), Framing.CONTENT_LENGTH);
        }
        return request ? head : new Message(start, fields, in.readAllBytes(), Framing.UNTIL_CLOSE);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in, false);
            int ext = size.indexOf(';');
            int n = Integer.parseInt((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
            if (n == 0) {
                while (!line(in, false).isEmpty()) {
                    // trailer fields are not kept
                }
                return body.toByteArray();
            }
            body.write(body(in, n));
            line(in, false);
        }
    }

    private static byte[] body(InputStream in, int length) throws IOException {
        byte[] b = in.readNBytes(length);
        if (b.length < length) {
            throw new EOFException("connection closed after " + b.length + " of " + length + " body bytes");
        }
        return b;
    }

    /** One line without its CRLF; null at a clean end of stream before the line's first byte if allowed. */
    private static String line(InputStream in, boolean eofAllowed) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                if (eofAllowed && b.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of a line: " + b.toString(StandardCharsets.ISO_8859_1));
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
