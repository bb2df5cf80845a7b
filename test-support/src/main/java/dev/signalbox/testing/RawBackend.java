package dev.signalbox.testing;

import dev.signalbox.rawhttp.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A backend on a plain {@link ServerSocket} that records every request as it arrived on the wire
 * ({@link RawHttp}) and answers each as a {@link Script} says, byte for byte: a test can make it send
 * framing no HTTP library would, or close a kept-alive connection at a chosen request. One thread per
 * connection; closed by {@link #close()}.
 */
public final class RawBackend implements AutoCloseable {
    /** A request as received, with the connection (0, 1, ...) and its place on that connection (0, 1, ...). */
    public record Received(int connection, int index, RawHttp.Message request) {
        public String requestLine() {
            return request.startLine();
        }
    }

    /** The bytes to answer a request with, or null to close the connection without answering. */
    @FunctionalInterface
    public interface Script {
        byte[] answer(Received request);
    }

    private final ServerSocket server;
    private final Script script;
    /** Whether a connection is read on after its first answer; if not, it is held open unread until {@link #close()}. */
    private final boolean readOn;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private RawBackend(ServerSocket server, Script script, boolean readOn) {
        this.server = server;
        this.script = script;
        this.readOn = readOn;
    }

    public static RawBackend start(Script script) throws IOException {
        return start(script, true);
    }

    /**
     * A backend that answers each connection's first request as {@code script} says and then reads nothing more
     * from it, holding it open: a peer that stopped taking bytes (its receive buffer fills, the sender's writes
     * stall), such as the backend of a tunnel that hangs after its 101.
     */
    public static RawBackend stopReadingAfterAnswer(Script script) throws IOException {
        return start(script, false);
    }

    private static RawBackend start(Script script, boolean readOn) throws IOException {
        RawBackend b = new RawBackend(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), script, readOn);
        Thread acceptor = new Thread(b::accept, "raw-backend-" + b.port());
        acceptor.setDaemon(true);
        acceptor.start();
        return b;
    }

    /** A response with a Content-Length body, as a well-behaved backend sends it. */
    public static byte[] ok(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ("HTTP/1.1 200 OK\r\nContent-Length: " + b.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every request received so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    private void accept() {
        for (int n = 0; !server.isClosed(); n++) {
            try {
                Socket s = server.accept();
                open.add(s);
                int connection = n;
                Thread t = new Thread(() -> serve(s, connection), "raw-backend-" + port() + "-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            for (int i = 0; ; i++) {
                RawHttp.Message m = RawHttp.readRequest(in);
                if (m == null) {
                    return;
                }
                Received r = new Received(connection, i, m);
                received.add(r);
                byte[] answer = script.answer(r);
                if (answer == null) {
                    return;
                }
                s.getOutputStream().write(answer);
                s.getOutputStream().flush();
                if (!readOn) {
                    closed.await();
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away, or the test ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
