package dev.signalbox.testing;

import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.rawhttp.RawWebSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
    private final ServerSocket server;
    private final List<RawHttp.Message> handshakes = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    private WebSocketEchoBackend(ServerSocket server) {
        this.server = server;
    }

    public static WebSocketEchoBackend start() throws IOException {
        return start(0);
    }

    /** An echo backend on 127.0.0.1:{@code port} (0 for any free port). */
    public static WebSocketEchoBackend start(int port) throws IOException {
        WebSocketEchoBackend b = new WebSocketEchoBackend(new ServerSocket(port, 512, InetAddress.getLoopbackAddress()));
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
            InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 65536);
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
                    + "Sec-WebSocket-Accept: " + RawWebSocket.accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
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

    /**
     * Echoes frames until a close frame (answered) or the end of the stream; what a read brought is written back
     * and flushed once the input has nothing more buffered (one write per batch, not per frame).
     */
    private static void echo(DataInputStream in, OutputStream out) throws IOException {
        for (RawWebSocket.Frame f; (f = RawWebSocket.read(in)) != null; ) {
            if (f.opcode() == RawWebSocket.PONG) {
                continue;
            }
            int opcode = f.opcode() == RawWebSocket.PING ? RawWebSocket.PONG : f.opcode();
            // The same FIN bit and opcode back, unmasked (RFC 6455 5.1: a server never masks).
            RawWebSocket.write(out, new RawWebSocket.Frame(f.fin(), opcode, f.payload()), null);
            if (f.opcode() == RawWebSocket.CLOSE) {
                out.flush();
                return;
            }
            if (in.available() == 0) {
                out.flush();
            }
        }
    }

    /**
     * Runs an echo backend on its own, for {@code launcher/bench/websocket-bench.sh}: {@code java -cp ...
     * dev.signalbox.testing.WebSocketEchoBackend PORT}; it serves until the process is stopped.
     */
    public static void main(String[] args) throws Exception {
        WebSocketEchoBackend b = start(Integer.parseInt(args[0]));
        System.out.println("WebSocket echo backend on 127.0.0.1:" + b.port());
        Thread.currentThread().join();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
