package dev.signalbox.e2e.multicluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.compiler.kafka.Replay;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.Launcher;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clusters on one broker (issue 14): two manifests watchers with different cluster ids, one compiler (a cluster is
 * stale after 2 s of silence), one proxy. A host served from both clusters' endpoints; an exported and a
 * non-exported Service side by side; a silent cluster withdrawn and back after its next heartbeat; a removed
 * cluster; and every published snapshot replays from the events to the same hash, staleness included.
 */
class ManifestsClustersIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration STALE_AFTER = Duration.ofSeconds(2);
    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Manifests APPS = new Manifests("apps");

    @TempDir
    Path east;
    @TempDir
    Path west;

    @Test
    void twoClustersServeOneMergedServiceAndASilentClusterIsWithdrawnThenBackThenRemoved() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend eastWeb = EchoBackend.start("east-web");
             EchoBackend westWeb = EchoBackend.start("west-web");
             EchoBackend eastLocal = EchoBackend.start("east-local");
             EchoBackend westLocal = EchoBackend.start("west-local")) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            // web is exported in both clusters and routed identically from both; local is exported in neither.
            write(east, "apps.yaml", Manifests.documents(Manifests.ingressClass(),
                    APPS.service("web", eastWeb.port()), APPS.serviceExport("web"),
                    APPS.service("local", eastLocal.port()),
                    APPS.ingress("web", "web.test", "/", "web"), APPS.ingress("local", "local.test", "/", "local")));
            write(west, "apps.yaml", Manifests.documents(Manifests.ingressClass(),
                    APPS.service("web", westWeb.port()), APPS.serviceExport("web"),
                    APPS.service("local", westLocal.port()),
                    APPS.ingress("web", "web.test", "/", "web")));
            CompilerConfig compiler = CompilerConfig.defaults(bootstrap)
                    .withLiveness(new CompilerConfig.Liveness(STALE_AFTER, false));
            try (Compiler c = Compiler.start(compiler);
                 ProxyNode proxy = ProxyNode.start(new ProxyConfig(bootstrap, "p1", "127.0.0.1", 0, 0,
                         Duration.ofSeconds(2), Duration.ofSeconds(30)));
                 Watcher e = watcher(bootstrap, "east", east)) {
                Watcher w = watcher(bootstrap, "west", west);
                EchoBackend westWebAgain = null;
                try {
                    RoutingSnapshot both = awaitSnapshot(bootstrap, s -> endpoints(s, "east/apps/web:http").size() == 2);
                    assertEquals(java.util.Set.of(new Endpoint("127.0.0.1", eastWeb.port()), new Endpoint("127.0.0.1",
                            westWeb.port(), "west", null)), java.util.Set.copyOf(endpoints(both, "east/apps/web:http")),
                            "web.test from both clusters' endpoints");
                    assertEquals(List.of(new Endpoint("127.0.0.1", eastLocal.port())), endpoints(both, "east/apps/local:http"),
                            "local.test (not exported) from its own cluster only");
                    assertEquals(List.of(), both.table().diagnostics(), "identical routes of two clusters are one route");
                    Await.until("web.test served", WAIT, () -> served(proxy, "web.test"));
                    Await.until("local.test served", WAIT, () -> served(proxy, "local.test"));

                    // The west cluster goes away whole: its watcher and its backend stop together.
                    Poller poller = new Poller(proxy.httpPort(), "web.test");
                    long t0 = System.nanoTime();
                    w.close();
                    westWeb.close();
                    RoutingSnapshot withdrawn = awaitSnapshot(bootstrap, s -> endpoints(s, "east/apps/web:http").size() == 1);
                    long withdrawnMs = (System.nanoTime() - t0) / 1_000_000;
                    long[] beforeWithdrawal = poller.counts();
                    Await.until("1 s of requests after the withdrawal", WAIT, () -> poller.counts()[0] > beforeWithdrawal[0] + 200);
                    long[] total = poller.stop();
                    long failedAfter = total[1] - beforeWithdrawal[1];
                    assertEquals(List.of(new Endpoint("127.0.0.1", eastWeb.port())), endpoints(withdrawn, "east/apps/web:http"));
                    assertTrue(withdrawn.table().diagnostics().stream().anyMatch(d -> d.cluster().equals("west")
                            && d.kind().equals("Cluster") && d.message().startsWith("cluster west is stale")), withdrawn.table().diagnostics().toString());
                    assertTrue(served(proxy, "web.test"), "web.test still served by the east cluster");

                    t0 = System.nanoTime();
                    westWebAgain = EchoBackend.start("west-web", westWeb.port());
                    w = watcher(bootstrap, "west", west);
                    awaitSnapshot(bootstrap, s -> endpoints(s, "east/apps/web:http").size() == 2 && s.table().diagnostics().isEmpty());
                    long backMs = (System.nanoTime() - t0) / 1_000_000;

                    assertEquals(1, launcher("cluster", "remove", "east", "--kafka", bootstrap), "a live cluster is not removed");
                    w.close();
                    awaitSnapshot(bootstrap, s -> endpoints(s, "east/apps/web:http").size() == 1);
                    assertEquals(0, launcher("cluster", "remove", "west", "--kafka", bootstrap), "a stale cluster is removed");
                    RoutingSnapshot removed = awaitSnapshot(bootstrap, s -> s.table().diagnostics().isEmpty()
                            && s.table().ingresses().equals(List.of("east/apps/local", "east/apps/web")));
                    assertEquals(List.of(new Endpoint("127.0.0.1", eastWeb.port())), endpoints(removed, "east/apps/web:http"));
                    String list = launcherOut("cluster", "list", "--kafka", bootstrap, "-o", "json");
                    List<String> clusters = new ArrayList<>();
                    dev.signalbox.schemas.codec.Json.MAPPER.readTree(list).get("clusters").forEach(n -> clusters.add(
                            n.get("id").asText() + " " + n.get("state").asText() + " " + n.get("objects").asInt()));
                    assertEquals(List.of("east live 8", "west removed 0"), clusters, list);

                    assertEquals(0, launcher("verify", "--kafka", bootstrap), "bin/ingress verify: every version replays");
                    String history = launcherOut("history", "--kafka", bootstrap, "-o", "json");
                    assertTrue(history.contains("\"kind\" : \"ClusterLiveness\"") && history.contains("\"op\" : \"STALE\"")
                            && history.contains("\"op\" : \"REMOVED\""), "history names the liveness decisions: " + history);
                    int versions = 0;
                    for (RoutingSnapshot s : allSnapshots(bootstrap)) {
                        assertEquals(s.contentHash(), SnapshotCodec.contentHash(Replay.tableAt(bootstrap, s.provenance())),
                                "version " + s.version() + " replays to its hash");
                        versions++;
                    }
                    System.out.printf("FIGURES multicluster: silent cluster withdrawn %d ms after its watcher and backend"
                            + " stopped (stale after %d ms, heartbeat every %d ms); requests to the merged host meanwhile: %d,"
                            + " failed %d; in the %d requests after the withdrawal snapshot, failed %d; back %d ms after its"
                            + " watcher restarted; %d versions replayed to their hashes%n", withdrawnMs, STALE_AFTER.toMillis(),
                            HEARTBEAT.toMillis(), beforeWithdrawal[0], beforeWithdrawal[1], total[0] - beforeWithdrawal[0],
                            failedAfter, backMs, versions);
                } finally {
                    w.close();
                    if (westWebAgain != null) {
                        westWebAgain.close();
                    }
                }
            }
        }
    }

    /** GETs one host from the proxy, one request at a time, on a thread of its own; counts requests and failures. */
    private static final class Poller {
        private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean running = true;
        private final Thread thread;

        Poller(int port, String host) {
            thread = new Thread(() -> {
                while (running) {
                    var r = Http.tryGet(port, host, "/");
                    requests.incrementAndGet();
                    if (r == null || r.statusCode() != 200) {
                        failed.incrementAndGet();
                    }
                }
            }, "poll-" + host);
            thread.setDaemon(true);
            thread.start();
        }

        /** Requests and failures so far. */
        long[] counts() {
            long f = failed.get();
            return new long[] {requests.get(), f};
        }

        long[] stop() throws InterruptedException {
            running = false;
            thread.join();
            return counts();
        }
    }

    /**
     * Two proxies, one in each cluster, in front of a Service exported by both: each sends to its own cluster's
     * endpoint; when the east endpoint goes unready (and then away) the east proxy fails over to the west cluster
     * without a failed request, and comes back when the endpoint is ready again. The locality label counts both.
     */
    @Test
    void eachProxyPrefersItsOwnClusterAndFailsOverToTheOtherWithoutAFailedRequest() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend westWeb = EchoBackend.start("west-web")) {
            EchoBackend eastWeb = EchoBackend.start("east-web");
            int eastPort = eastWeb.port();
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            write(east, "apps.yaml", exportedWeb(eastPort, true));
            write(west, "apps.yaml", exportedWeb(westWeb.port(), true));
            try (Compiler c = Compiler.start(CompilerConfig.defaults(bootstrap));
                 ProxyNode inEast = Clusters.proxyIn(bootstrap, "east");
                 ProxyNode inWest = Clusters.proxyIn(bootstrap, "west");
                 Watcher e = watcher(bootstrap, "east", east);
                 Watcher w = watcher(bootstrap, "west", west)) {
                awaitSnapshot(bootstrap, s -> s.table().backends().stream().allMatch(b -> b.endpoints().size() == 2));
                Await.until("the east proxy served by the east cluster", WAIT, () -> "east-web".equals(Clusters.backendOf(inEast)));
                Await.until("the west proxy served by the west cluster", WAIT, () -> "west-web".equals(Clusters.backendOf(inWest)));
                for (int i = 0; i < 20; i++) {
                    assertEquals("east-web", Clusters.backendOf(inEast), "local preference, east");
                    assertEquals("west-web", Clusters.backendOf(inWest), "local preference, west");
                }

                java.util.Map<String, Long> answers = new java.util.concurrent.ConcurrentHashMap<>();
                java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread load = new Thread(() -> {
                    while (loading.get()) {
                        answers.merge(String.valueOf(Clusters.backendOf(inEast)), 1L, Long::sum);
                    }
                }, "east-client");
                load.start();
                try {
                    long t0 = System.nanoTime();
                    write(east, "apps.yaml", exportedWeb(eastPort, false));
                    Await.until("the east proxy fails over to the west cluster", WAIT,
                            () -> answers.getOrDefault("west-web", 0L) > 0);
                    long failoverMs = (System.nanoTime() - t0) / 1_000_000;
                    eastWeb.close();
                    long before = answers.getOrDefault("west-web", 0L);
                    Await.until("100 more requests served by the west cluster", WAIT,
                            () -> answers.getOrDefault("west-web", 0L) >= before + 100);

                    eastWeb = EchoBackend.start("east-web", eastPort);
                    t0 = System.nanoTime();
                    write(east, "apps.yaml", exportedWeb(eastPort, true));
                    long eastBefore = answers.getOrDefault("east-web", 0L);
                    Await.until("the east proxy back on the east cluster", WAIT,
                            () -> answers.getOrDefault("east-web", 0L) > eastBefore);
                    long backMs = (System.nanoTime() - t0) / 1_000_000;
                    loading.set(false);
                    load.join();
                    long total = answers.values().stream().mapToLong(Long::longValue).sum();
                    assertEquals(java.util.Set.of("east-web", "west-web"), answers.keySet(), "every answer 200: " + answers);
                    String metrics = Http.get(inEast.adminPort(), null, "/metrics").body();
                    assertTrue(metrics.contains("locality=\"local-cluster\"") && metrics.contains("locality=\"remote\""),
                            metrics);
                    System.out.printf("FIGURES multicluster locality: east endpoint unready -> east proxy on the west cluster"
                            + " after %d ms, ready again -> back after %d ms; %d requests, 0 failed (%s)%n",
                            failoverMs, backMs, total, answers);
                } finally {
                    loading.set(false);
                    load.join();
                    eastWeb.close();
                }
            }
        }
    }

    /** web.test routed to Service web, exported, with one endpoint on 127.0.0.1:port, ready or not. */
    private static String exportedWeb(int port, boolean ready) {
        Manifests.Endpoint endpoint = Manifests.Endpoint.loopback(port);
        return Manifests.documents(Manifests.ingressClass(),
                APPS.service("web", Manifests.ServicePort.HTTP, List.of(ready ? endpoint : endpoint.unready())),
                APPS.serviceExport("web"), APPS.ingress("web", "web.test", "/", "web"));
    }

    private static Watcher watcher(String bootstrap, String cluster, Path dir) {
        return Watcher.startManifests(WatcherConfig.defaults(bootstrap, cluster).withManifestsDir(dir)
                .withHeartbeatInterval(HEARTBEAT));
    }

    private static List<Endpoint> endpoints(RoutingSnapshot s, String backendId) {
        return s.table().backends().stream().filter(b -> b.id().equals(backendId)).findFirst()
                .map(Backend::endpoints).orElse(List.of());
    }

    /** Waits for the latest snapshot to satisfy {@code condition}. */
    private static RoutingSnapshot awaitSnapshot(String bootstrap, Predicate<RoutingSnapshot> condition) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "multicluster-it")) {
            return Await.value("a snapshot", WAIT, () -> log.latest(Duration.ofSeconds(5)).orElse(null),
                    s -> s != null && condition.test(s));
        }
    }

    private static List<RoutingSnapshot> allSnapshots(String bootstrap) {
        List<RoutingSnapshot> out = new ArrayList<>();
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "multicluster-it-all")) {
            long last = log.latest(Duration.ofSeconds(5)).orElseThrow().version();
            log.seekToBeginning();
            while (out.isEmpty() || out.get(out.size() - 1).version() < last) {
                out.addAll(log.poll(Duration.ofMillis(200)));
            }
        }
        return out;
    }

    private static boolean served(ProxyNode p, String host) {
        var r = Http.tryGet(p.httpPort(), host, "/");
        return r != null && r.statusCode() == 200;
    }

    private static int launcher(String... args) {
        var cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(new ByteArrayOutputStream()));
        cl.setErr(new PrintWriter(new ByteArrayOutputStream()));
        return cl.execute(args);
    }

    private static String launcherOut(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        var cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new ByteArrayOutputStream()));
        assertEquals(0, cl.execute(args), String.join(" ", args));
        return out.toString();
    }

    private static void write(Path dir, String name, String text) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
