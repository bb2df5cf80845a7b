package dev.signalbox.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port of the watcher and the compiler: {@code /healthz} (200 while the process runs), {@code /readyz}
 * (200 or 503 with the component's {@link Health} as JSON) and {@code /metrics} (the registry, {@link Exposition}).
 * The proxy serves the same three on its Netty admin port.
 *
 * <p>The JDK's {@code com.sun.net.httpserver}, on one daemon thread of its own: the compiler must not carry Netty
 * (and the watcher fabric8's Vert.x/Netty only where fabric8 needs it), a scrape every few seconds needs nothing
 * faster, and the Prometheus client's {@code HTTPServer} (the same JDK server underneath) serves /metrics and a
 * fixed health page but no readiness that can answer 503 with a reason.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private volatile PrometheusRegistry registry;
    /** POST endpoints by path: operator requests a component takes (the compiler's whole snapshot on request). */
    private final Map<String, Supplier<String>> actions = new ConcurrentHashMap<>();

    private AdminServer(HttpServer server, ExecutorService executor, PrometheusRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
    }

    /**
     * Binds {@code bindAddress:port} (0: any free port) and serves at once.
     *
     * @param component names the thread and the log line
     */
    public static AdminServer start(String component, String bindAddress, int port, PrometheusRegistry registry,
                                    Supplier<Health> health) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the " + component + " admin port " + bindAddress + ":" + port, e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "signalbox-" + component + "-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        AdminServer admin = new AdminServer(server, executor, registry);
        server.createContext("/", exchange -> {
            try (exchange) {
                Supplier<String> action = admin.actions.get(exchange.getRequestURI().getPath());
                if (action != null) {
                    act(exchange, action);
                } else {
                    serve(exchange, admin.registry, health);
                }
            } catch (RuntimeException e) {
                LOG.warn("{} admin port: {} failed", component, exchange.getRequestURI(), e);
            }
        });
        server.start();
        LOG.info("{} admin port on {}: /healthz /readyz /metrics", component, server.getAddress());
        return admin;
    }

    private static void serve(HttpExchange exchange, PrometheusRegistry registry, Supplier<Health> health)
            throws IOException {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            send(exchange, 405, "text/plain; charset=utf-8", "only GET\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        switch (exchange.getRequestURI().getPath()) {
            case "/healthz" -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
            case "/readyz" -> {
                Health h = health.get();
                send(exchange, h.ready() ? 200 : 503, "application/json", (h.json() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            case "/metrics" -> send(exchange, 200, Exposition.CONTENT_TYPE, Exposition.bytes(registry));
            default -> send(exchange, 404, "text/plain; charset=utf-8",
                    ("no admin endpoint " + exchange.getRequestURI().getPath() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** An action answers POST only (a GET from a crawler or a probe must not trigger it): 200 with what it did. */
    private static void act(HttpExchange exchange, Supplier<String> action) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            send(exchange, 405, "text/plain; charset=utf-8", "only POST\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        send(exchange, 200, "text/plain; charset=utf-8", (action.get() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * Answers POST {@code path} by running {@code action} and sending back the line it returns (other methods: 405).
     * The admin port is for the cluster only (deploy/k8s): an action must be safe to repeat.
     */
    public void action(String path, Supplier<String> action) {
        actions.put(path, action);
    }

    /** Serves {@code r} on /metrics from now on (the component's own, once it runs). */
    public void serve(PrometheusRegistry r) {
        this.registry = r;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
