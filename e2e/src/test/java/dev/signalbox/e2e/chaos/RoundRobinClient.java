package dev.signalbox.e2e.chaos;

import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.rawhttp.RawHttpConnection;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;

/**
 * A minimal load balancer in front of several proxies, for one thread: requests go round robin, each on a
 * kept-alive {@link RawHttpConnection} per proxy; a proxy that refuses the connection is skipped for the next
 * (the only retry: nothing was sent). Like any keep-alive client it checks that a pooled connection was
 * not closed by the server before reusing it, and honours {@code Connection: close}. Any other error is
 * the caller's failure.
 */
final class RoundRobinClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    /** The answer and which proxy gave it. */
    record Answer(int proxy, int status, String body) {
    }

    private final int[] ports;
    private final RawHttpConnection[] connections;
    private int next;
    private long refusedConnects;

    RoundRobinClient(int... ports) {
        this.ports = ports.clone();
        this.connections = new RawHttpConnection[ports.length];
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
            try {
                RawHttp.Message m = connections[i].get(host, path);
                return new Answer(i, m.status(), m.bodyText());
            } catch (IOException e) {
                throw new IOException("proxy " + ports[i] + ": " + e.getMessage(), e);
            }
        }
        throw last;
    }

    private void connection(int i) throws IOException {
        RawHttpConnection c = connections[i];
        if (c == null || c.isClosed() || c.closedByServer()) {
            connections[i] = null;
            connections[i] = RawHttpConnection.open(ports[i], CONNECT_TIMEOUT, READ_TIMEOUT);
        }
    }

    @Override
    public void close() {
        for (RawHttpConnection c : connections) {
            if (c != null) {
                c.close();
            }
        }
    }
}
