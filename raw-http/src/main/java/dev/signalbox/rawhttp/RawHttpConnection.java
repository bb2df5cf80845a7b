package dev.signalbox.rawhttp;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One kept-alive HTTP/1.1 client connection on a blocking socket: GET requests written as bytes, responses
 * read with {@link RawHttp}. The JDK's HttpClient hands every request to its selector thread and back, a few
 * scheduling delays that on a loaded 2-core machine add milliseconds to what the benchmark measures; this
 * adds two system calls. After a response that closes the connection (Connection: close, or a body read to
 * the end of the stream) the connection is closed; so is it after any I/O error. One caller at a time.
 */
public final class RawHttpConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int readTimeoutMs;

    private RawHttpConnection(Socket socket, int readTimeoutMs) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.readTimeoutMs = readTimeoutMs;
    }

    /** Connects to 127.0.0.1:{@code port}; a refused connection is a {@link java.net.ConnectException}. */
    public static RawHttpConnection open(int port, Duration connectTimeout, Duration readTimeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), Math.toIntExact(connectTimeout.toMillis()));
            s.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            return new RawHttpConnection(s, Math.toIntExact(readTimeout.toMillis()));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** GET {@code path} with {@code Host: host}, and its response. */
    public RawHttp.Message get(String host, String path) throws IOException {
        try {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawHttp.Message m = RawHttp.readResponse(in, false);
            if (m == null) {
                throw new EOFException("connection closed before a response");
            }
            if (m.closesConnection() || m.framing() == RawHttp.Framing.UNTIL_CLOSE) {
                close();
            }
            return m;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Whether this side closed the connection (after a closing response or an error, or by {@link #close}). */
    public boolean isClosed() {
        return socket.isClosed();
    }

    /**
     * Like any keep-alive client, checks a pooled connection before reusing it (a read of at most one
     * millisecond): one the server closed shows end-of-stream at once, and is closed here too; an open one
     * has nothing to read. Bytes nobody asked for make the connection unusable as well.
     */
    public boolean closedByServer() {
        try {
            socket.setSoTimeout(1);
            in.read();
            close();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            close();
            return true;
        } finally {
            try {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(readTimeoutMs);
                }
            } catch (IOException e) {
                close();
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
