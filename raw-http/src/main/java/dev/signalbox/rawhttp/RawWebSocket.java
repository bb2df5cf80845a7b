package dev.signalbox.rawhttp;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * WebSocket frames (RFC 6455 5) and the handshake's accept key (4.2.2), read and written as bytes on a
 * blocking stream: for the test echo backend and the WebSocket load generator, which must not depend on a
 * WebSocket library to tell what the proxy relayed. Stateless; the streams are the caller's.
 */
public final class RawWebSocket {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    public static final int TEXT = 0x1;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private RawWebSocket() {
    }

    /**
     * One frame, unmasked.
     *
     * @param fin    whether it ends its message
     * @param opcode its opcode (continuation 0, text 1, binary 2, close 8, ping 9, pong 10)
     */
    public record Frame(boolean fin, int opcode, byte[] payload) {
    }

    /** Sec-WebSocket-Accept for a client's {@code Sec-WebSocket-Key}. */
    public static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client's opening handshake for {@code path} on {@code host} (a fixed key: the server only echoes it). */
    public static byte[] handshake(String host, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The next frame, its payload unmasked; null at the end of the stream before a frame starts. */
    public static Frame read(DataInputStream in) throws IOException {
        int b0;
        try {
            b0 = in.readUnsignedByte();
        } catch (EOFException e) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /**
     * Writes a frame (not flushed); {@code mask} is null for a server (which never masks, RFC 6455 5.1), else
     * the four bytes a client masks with.
     */
    public static void write(OutputStream out, Frame f, byte[] mask) throws IOException {
        int n = f.payload().length;
        int maskBit = mask == null ? 0 : 0x80;
        out.write((f.fin() ? 0x80 : 0) | f.opcode());
        if (n < 126) {
            out.write(maskBit | n);
        } else if (n <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >> (8 * i)));
            }
        }
        if (mask == null) {
            out.write(f.payload());
            return;
        }
        out.write(mask);
        byte[] masked = new byte[n];
        for (int i = 0; i < n; i++) {
            masked[i] = (byte) (f.payload()[i] ^ mask[i & 3]);
        }
        out.write(masked);
    }
}
