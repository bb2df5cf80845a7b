package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.Ports;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test with real processes: two `bin/ingress proxy` JVMs behind a round-robin client that retries
 * only refused connections on the other proxy (a simple load balancer). Under load, fast requests and
 * one-second ones, each proxy in turn gets SIGTERM and a new process takes its ports. The draining proxy
 * must finish what it started (no failed request), exit within its drain timeout, and the new one must
 * serve the current routes soon after its process starts. Prints drain times and the new proxy's time to
 * serve.
 */
class ProxyRestartIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SLOW = Duration.ofSeconds(1);
    /** How long a proxy that serves may take to have written its start-up lines. */
    private static final Duration LOG_LINES = Duration.ofSeconds(10);
    /** The goal from process start to serving; printed against the measured figure. */
    private static final Duration SERVE_GOAL = Duration.ofSeconds(2);
    /** What is asserted: a sanity bound. On a loaded 2-core machine JVM and Kafka client start-up dominate. */
    private static final Duration SERVE_BOUND = Duration.ofSeconds(20);
    private static final int FAST_CLIENTS = 2;
    /**
     * Each fast client sends at most one request per period (25 a second). Unpaced, two closed-loop clients
     * keep both cores busy on their own, and the new proxy's start then measures how much CPU the test's
     * clients leave it: 2.3 s at 900 requests per run, 3.7-5.7 s at 3,500 once the echo backend's 40 ms
     * delayed-ACK stall, which had paced them by accident, was fixed.
     */
    private static final Duration FAST_PERIOD = Duration.ofMillis(40);

    @Test
    void proxiesRestartedUnderLoadDrainWithNoFailedRequest(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Path logs = Files.createDirectories(Path.of("target", "chaos-logs"));
        HttpServer slow = slowBackend();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend fast = EchoBackend.start("fast")) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("fast", fast.port())
                    + "---\n" + MANIFESTS.service("slow", slow.getAddress().getPort()));
            Files.writeString(manifests.resolve("fast.yaml"), MANIFESTS.ingress("fast", "fast.local", "/", "fast"));
            Files.writeString(manifests.resolve("slow.yaml"), MANIFESTS.ingress("slow", "slow.local", "/", "slow"));
            int[] http = {Ports.free(), Ports.free()};
            int[] admin = {Ports.free(), Ports.free()};
            Process[] proxies = new Process[2];
            try (Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
                 Watcher watcher = Watcher.startManifests(WatcherConfig.defaults(bootstrap, "restart")
                         .withManifestsDir(manifests))) {
                for (int i = 0; i < 2; i++) {
                    proxies[i] = startProxy(bootstrap, http[i], admin[i], "p" + i + "-0", logs);
                }
                for (int i = 0; i < 2; i++) {
                    awaitServed(http[i], "fast.local");
                }
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong sent = new AtomicLong();
                AtomicLong slowSent = new AtomicLong();
                AtomicLong refused = new AtomicLong();
                Map<String, Long> failures = new ConcurrentHashMap<>();
                AtomicLong[] answeredBy = {new AtomicLong(), new AtomicLong()};
                List<Thread> load = new ArrayList<>();
                for (int c = 0; c <= FAST_CLIENTS; c++) {
                    String host = c < FAST_CLIENTS ? "fast.local" : "slow.local";
                    Thread t = new Thread(() -> {
                        try (RoundRobinClient client = new RoundRobinClient(http)) {
                            long next = System.nanoTime();
                            while (running.get()) {
                                if (host.equals("fast.local")) {
                                    next += FAST_PERIOD.toNanos();
                                    java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                                }
                                sent.incrementAndGet();
                                if (host.equals("slow.local")) {
                                    slowSent.incrementAndGet();
                                }
                                try {
                                    RoundRobinClient.Answer a = client.get(host, "/");
                                    answeredBy[a.proxy()].incrementAndGet();
                                    if (a.status() != 200) {
                                        failures.merge(host + " " + a.status() + " " + a.body().trim(), 1L, Long::sum);
                                    }
                                } catch (IOException e) {
                                    failures.merge(host + " " + e, 1L, Long::sum);
                                }
                            }
                            refused.addAndGet(client.refusedConnects());
                        }
                    }, "restart-load-" + c);
                    t.start();
                    load.add(t);
                }
                List<Long> drains = new ArrayList<>();
                List<Long> serving = new ArrayList<>();
                List<Long> adminUp = new ArrayList<>();
                List<String> jvmToServing = new ArrayList<>();
                try {
                    for (int i = 0; i < 2; i++) {
                        long before = answeredBy[i].get();
                        Await.until("proxy " + i + " carries load", WAIT, () -> answeredBy[0].get() > 0
                                && answeredBy[1].get() > before + 100 && slowSent.get() >= 2);
                        long term = System.nanoTime();
                        proxies[i].destroy();
                        boolean exited = proxies[i].waitFor(DRAIN_TIMEOUT.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
                        drains.add((System.nanoTime() - term) / 1_000_000);
                        assertTrue(exited, "proxy " + i + " exits after SIGTERM within its drain timeout");

                        long start = System.nanoTime();
                        proxies[i] = startProxy(bootstrap, http[i], admin[i], "p" + i + "-1", logs);
                        int adminPort = admin[i];
                        Await.until("the new proxy's admin port", WAIT, () -> Http.tryGet(adminPort, null, "/healthz") != null);
                        adminUp.add((System.nanoTime() - start) / 1_000_000);
                        awaitServed(http[i], "fast.local");
                        serving.add((System.nanoTime() - start) / 1_000_000);
                        jvmToServing.add(loggedServingMs(logs.resolve("proxy-p" + i + "-1.log")));
                    }
                    long sentAtEnd = sent.get();
                    Await.until("load after the restarts", WAIT, () -> sent.get() >= sentAtEnd + 200);
                } finally {
                    running.set(false);
                    for (Thread t : load) {
                        t.join();
                    }
                }
                long failed = failures.values().stream().mapToLong(Long::longValue).sum();
                System.out.printf("proxies restarted under load (SIGTERM, drain timeout %d s; %d fast clients of 25 "
                        + "requests a second, 1 client "
                        + "of %d ms requests): %d requests (%d slow), %d failed, %d refused connections retried on the "
                        + "other proxy; SIGTERM -> exit %s ms; new process -> admin port up %s ms, -> serving the "
                        + "current routes %s ms (the proxy's own log: %s ms after its JVM started, CPU ms used "
                        + "by then, and when HTTPS began accepting; goal %d ms: %s); "
                        + "load average %.1f; failures %s%n", DRAIN_TIMEOUT.toSeconds(), FAST_CLIENTS, SLOW.toMillis(),
                        sent.get(), slowSent.get(), failed, refused.get(), drains, adminUp, serving, jvmToServing,
                        SERVE_GOAL.toMillis(), serving.stream().allMatch(t -> t <= SERVE_GOAL.toMillis()) ? "met" : "NOT met",
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), failures);
                ChaosReport.row("proxy restarted under load (SIGTERM, graceful drain), each of 2 in turn",
                        "drain " + drains + " ms; new proxy serving " + serving + " ms after process start",
                        "0 requests", "n/a", failed + " of " + sent.get());
                assertEquals(0, failed, "no request fails while proxies drain and restart: " + failures);
                assertTrue(drains.stream().allMatch(d -> d < DRAIN_TIMEOUT.toMillis() + 5000), "drains: " + drains);
                assertTrue(serving.stream().allMatch(t -> t < SERVE_BOUND.toMillis()), "serving after " + serving);
            } finally {
                for (Process p : proxies) {
                    if (p != null) {
                        p.destroyForcibly().waitFor();
                    }
                }
            }
        } finally {
            slow.stop(0);
        }
    }

    /** Answers every request after {@link #SLOW}, so a drain finds requests under way. */
    private static HttpServer slowBackend() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        s.createContext("/", ex -> {
            try {
                Thread.sleep(SLOW.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "slow\n".getBytes(StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        s.start();
        return s;
    }

    private static Process startProxy(String bootstrap, int httpPort, int adminPort, String id, Path logs)
            throws IOException {
        // With HTTPS, as deploy/k8s runs a proxy: its TLS set-up (OpenSSL, a self-signed default) is part of the start.
        return IngressProcess.start("256m", logs.resolve("proxy-" + id + ".log"), "proxy", "--kafka", bootstrap,
                "--http-port", String.valueOf(httpPort), "--admin-port", String.valueOf(adminPort), "--node-id", id,
                "--https-port", String.valueOf(Ports.free()),
                "--bind", "127.0.0.1", "--drain-timeout-ms", String.valueOf(DRAIN_TIMEOUT.toMillis()));
    }

    /**
     * From the proxy's log lines "node X serving, N ms after the JVM started (C ms of CPU; ...)" and "node X
     * accepting HTTPS, H ms after the JVM started" (which may come a moment later): "N (C CPU, HTTPS H)". Called once
     * the proxy serves, so both lines are there or about to be: a line that does not match fails the test (a silent
     * "not logged" once cost the test its 60 s wait per restart, for a day, after the serving line gained a field).
     */
    private static String loggedServingMs(Path log) {
        java.util.regex.Pattern serving = java.util.regex.Pattern.compile(
                "serving, (\\d+) ms after the JVM started \\((-?\\d+) ms of CPU[;)]");
        java.util.regex.Pattern https = java.util.regex.Pattern.compile("accepting HTTPS, (\\d+) ms after the JVM started");
        String text = Await.value("the proxy's serving and HTTPS lines in " + log, LOG_LINES, () -> {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }, t -> serving.matcher(t).find() && https.matcher(t).find());
        java.util.regex.Matcher m = serving.matcher(text);
        java.util.regex.Matcher h = https.matcher(text);
        assertTrue(m.find() && h.find());
        return m.group(1) + " (" + m.group(2) + " CPU, HTTPS " + h.group(1) + ")";
    }

    private static void awaitServed(int port, String host) {
        Await.value(host + " served on " + port, WAIT, () -> Http.tryGet(port, host, "/"),
                r -> r != null && r.statusCode() == 200);
    }
}
