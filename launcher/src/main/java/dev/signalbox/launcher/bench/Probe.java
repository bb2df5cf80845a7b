package dev.signalbox.launcher.bench;

import dev.signalbox.rawhttp.RawHttpConnection;
import java.io.IOException;
import java.time.Duration;

/**
 * The benchmark's poller: HTTP/1.1 GETs over one kept-alive {@link RawHttpConnection} (two system calls a
 * request, no client thread in between), answering only the status. One caller at a time.
 */
public final class Probe implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    private final int port;
    private RawHttpConnection connection;

    public Probe(int port) {
        this.port = port;
    }

    /** The status of GET {@code path} with {@code Host: host}; -1 when the server cannot be reached. */
    public int status(String host, String path) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (connection == null || connection.isClosed()) {
                    connection = RawHttpConnection.open(port, CONNECT_TIMEOUT, READ_TIMEOUT);
                }
                return connection.get(host, path).status();
            } catch (IOException e) {
                // A kept-alive connection the server closed meanwhile fails on first use: once more, anew.
                close();
            }
        }
        return -1;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
