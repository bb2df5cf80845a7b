package dev.signalbox.launcher.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * The backend local mode's example and the benchmark route to: answers every request with 200 and one
 * {@code key: value} a line, {@code backend}, {@code method}, {@code uri}, {@code body-bytes}, then the request
 * headers as {@code header-<name>} (deploy/examples/README.md), so a user sees what the proxy forwarded.
 * Listens on 127.0.0.1; its handler threads are daemons. The tests' fixtures have their own (test-support).
 */
public final class DemoBackend implements AutoCloseable {
    static {
        // The JDK server writes headers and body in two writes; without TCP_NODELAY the body waits for the
        // proxy's delayed ACK (about 40 ms) once a connection leaves quick-ACK mode. A caller's setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;

    private DemoBackend(HttpServer server) {
        this.server = server;
    }

    /** A backend named {@code name} on 127.0.0.1:{@code port} (0 for any free port). */
    public static DemoBackend start(String name, int port) {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("demo backend " + name + " cannot listen on 127.0.0.1:" + port, e);
        }
        s.createContext("/", ex -> answer(name, ex));
        s.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-backend-" + name);
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return new DemoBackend(s);
    }

    private static void answer(String name, HttpExchange ex) throws IOException {
        long bodyBytes;
        try (InputStream in = ex.getRequestBody()) {
            bodyBytes = in.transferTo(OutputStream.nullOutputStream());
        }
        Map<String, String> lines = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> lines.put("header-" + k.toLowerCase(Locale.ROOT), String.join(",", v)));
        String head = String.format(Locale.ROOT, "backend: %s%nmethod: %s%nuri: %s%nbody-bytes: %d%n",
                name, ex.getRequestMethod(), ex.getRequestURI(), bodyBytes).replace("\r\n", "\n");
        StringBuilder text = new StringBuilder(head);
        lines.forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.getResponseHeaders().set("X-Backend", name);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
