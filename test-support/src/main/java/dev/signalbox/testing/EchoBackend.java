package dev.signalbox.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP backend for tests: answers every request with 200 and a body that names the backend and echoes
 * the method, path, headers and request body size, one "key: value" a line. Listens on 127.0.0.1.
 */
public final class EchoBackend implements AutoCloseable {
    private final String name;
    private final HttpServer server;
    private final AtomicLong requests = new AtomicLong();

    private EchoBackend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    public static EchoBackend start(String name) {
        return start(name, 0);
    }

    /** An echo backend on 127.0.0.1:{@code port} (0 for any free port). */
    public static EchoBackend start(String name, int port) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
            EchoBackend b = new EchoBackend(name, s);
            s.createContext("/", b::handle);
            s.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "echo-" + name);
                t.setDaemon(true);
                return t;
            }));
            s.start();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("echo backend " + name + " cannot listen on 127.0.0.1:" + port + ": "
                    + e.getMessage(), e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        long received = 0;
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                received += n;
            }
        }
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        StringBuilder body = new StringBuilder();
        body.append("backend: ").append(name).append('\n');
        body.append("method: ").append(ex.getRequestMethod()).append('\n');
        body.append("uri: ").append(ex.getRequestURI()).append('\n');
        body.append("body-bytes: ").append(received).append('\n');
        headers.forEach((k, v) -> body.append("header-").append(k).append(": ").append(v).append('\n'));
        byte[] out = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        ex.getResponseHeaders().add("X-Backend", name);
        ex.sendResponseHeaders(200, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
