package dev.signalbox.testing;

import dev.signalbox.rawhttp.RawHttp;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket echo server for tests (RFC 6455, on a plain {@link ServerSocket}, one thread per connection):
 * it accepts a handshake on any path but one ending in {@code /reject}, which gets an ordinary 403 (as does a
 * request that is not a handshake: no {@code Upgrade: websocket} or {@code Connection: upgrade}), and sends
 * every data frame back as it came (text, binary, continuation), answers a ping with a pong and a close with a
 * close.
 * It records each handshake as received ({@link #handshakes()}) and counts open connections. Listens on
 * 127.0.0.1; closed by {@link #close()}.
 */
public final class WebSocketEchoBackend implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final List<RawHttp.Message> handshakes = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    private WebSocketEchoBackend(ServerSocket server) {
        this.server = server;
    }

    public static WebSocketEchoBackend start() throws IOException {
        WebSocketEchoBackend b = new WebSocketEchoBackend(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread acceptor = new Thread(b::accept, "ws-echo-" + b.port());
        acceptor.setDaemon(true);
        acceptor.start();
        return b;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every handshake request received, in arrival order. */
    public List<RawHttp.Message> handshakes() {
        return List.copyOf(handshakes);
    }

    /** Connections whose handshake succeeded and that are still open. */
    public int openConnections() {
        return open.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "ws-echo-" + port() + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            RawHttp.Message request = RawHttp.readRequest(in);
            if (request == null) {
                return;
            }
            handshakes.add(request);
            String key = request.get("sec-websocket-key");
            String upgrade = request.get("upgrade");
            String connection = request.get("connection");
            // RFC 6455 4.2.1: a handshake without Upgrade: websocket and Connection: upgrade is not one.
            boolean handshake = key != null && upgrade != null && upgrade.equalsIgnoreCase("websocket")
                    && connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade");
            if (request.startLine().contains("/reject ") || !handshake) {
                byte[] body = "no WebSocket here\n".getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            open.incrementAndGet();
            try {
                echo(new DataInputStream(in), out);
            } finally {
                open.decrementAndGet();
            }
        } catch (IOException e) {
            // the peer went away, or the test ended
        }
    }

    /** Echoes frames until a close frame (answered) or the end of the stream. */
    private static void echo(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            int b0;
            try {
                b0 = in.readUnsignedByte();
            } catch (EOFException e) {
                return;
            }
            int b1 = in.readUnsignedByte();
            int opcode = b0 & 0x0F;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            if (masked) {
                in.readFully(mask);
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            int replyOpcode = opcode == 0x9 ? 0xA : opcode;
            if (opcode == 0xA) {
                continue;
            }
            // The same FIN bit and opcode back, unmasked (RFC 6455 5.1: a server never masks).
            writeFrame(out, (b0 & 0x80) | replyOpcode, payload);
            if (opcode == 0x8) {
                return;
            }
        }
    }

    private static void writeFrame(OutputStream out, int finAndOpcode, byte[] payload) throws IOException {
        byte[] head;
        if (payload.length < 126) {
            head = new byte[] {(byte) finAndOpcode, (byte) payload.length};
        } else if (payload.length <= 0xFFFF) {
            head = new byte[] {(byte) finAndOpcode, 126, (byte) (payload.length >> 8), (byte) payload.length};
        } else {
            head = new byte[10];
            head[0] = (byte) finAndOpcode;
            head[1] = 127;
            for (int i = 0; i < 8; i++) {
                head[9 - i] = (byte) ((long) payload.length >> (8 * i));
            }
        }
        byte[] frame = new byte[head.length + payload.length];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(payload, 0, frame, head.length, payload.length);
        out.write(frame);
        out.flush();
    }

    /** Sec-WebSocket-Accept for {@code key} (RFC 6455 4.2.2). */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
