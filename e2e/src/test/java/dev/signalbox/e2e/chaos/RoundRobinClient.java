package dev.signalbox.e2e.chaos;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal load balancer in front of several proxies, for one thread: requests go round robin, each on a
 * kept-alive HTTP/1.1 connection per proxy; a proxy that refuses the connection is skipped for the next
 * (the only retry: nothing was sent). Like any keep-alive client it checks that a pooled connection was
 * not closed by the server before reusing it, and honours {@code Connection: close}. Any other error is
 * the caller's failure.
 */
final class RoundRobinClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 20_000;

    /** The answer and which proxy gave it. */
    record Answer(int proxy, int status, String body) {
    }

    private final int[] ports;
    private final Socket[] sockets;
    private final InputStream[] ins;
    private int next;
    private long refusedConnects;

    RoundRobinClient(int... ports) {
        this.ports = ports.clone();
        this.sockets = new Socket[ports.length];
        this.ins = new InputStream[ports.length];
    }

    /** Connections refused so far, each followed by a try on the next proxy. */
    long refusedConnects() {
        return refusedConnects;
    }

    Answer get(String host, String path) throws IOException {
        int first = next++ % ports.length;
        ConnectException last = null;
        for (int k = 0; k < ports.length; k++) {
            int i = (first + k) % ports.length;
            try {
                connection(i);
            } catch (ConnectException e) {
                refusedConnects++;
                last = e;
                continue;
            }
            return exchange(i, host, path);
        }
        throw last;
    }

    private void connection(int i) throws IOException {
        if (sockets[i] != null && !closedByServer(i)) {
            return;
        }
        drop(i);
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", ports[i]), 2000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.setTcpNoDelay(true);
        sockets[i] = s;
        ins[i] = new BufferedInputStream(s.getInputStream());
    }

    /** A pooled connection the server closed shows end-of-stream at once; an open one has nothing to read. */
    private boolean closedByServer(int i) throws IOException {
        Socket s = sockets[i];
        s.setSoTimeout(1);
        try {
            ins[i].read();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            if (!s.isClosed()) {
                s.setSoTimeout(READ_TIMEOUT_MS);
            }
        }
    }

    private Answer exchange(int i, String host, String path) throws IOException {
        try {
            sockets[i].getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = line(ins[i]);
            if (status == null) {
                throw new IOException("connection closed before a response from proxy " + ports[i]);
            }
            int length = 0;
            boolean close = false;
            for (String h; (h = line(ins[i])) != null && !h.isEmpty(); ) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring(15).trim());
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                }
            }
            byte[] body = ins[i].readNBytes(length);
            if (body.length < length) {
                throw new IOException("response body truncated from proxy " + ports[i]);
            }
            if (close) {
                drop(i);
            }
            return new Answer(i, Integer.parseInt(status.split(" ")[1]), new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            drop(i);
            throw e;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                return b.toString(StandardCharsets.US_ASCII).stripTrailing();
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    private void drop(int i) {
        if (sockets[i] != null) {
            try {
                sockets[i].close();
            } catch (IOException e) {
                // already gone
            }
            sockets[i] = null;
            ins[i] = null;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < sockets.length; i++) {
            drop(i);
        }
    }
}
