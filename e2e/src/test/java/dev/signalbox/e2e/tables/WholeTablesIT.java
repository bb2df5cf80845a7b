package dev.signalbox.e2e.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.e2e.Pipeline;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 through the components on one broker, with a manifests directory: a proxy is never ready on a
 * table that lacks part of the initial state, and a file that changes several objects is served whole (a
 * client polling the new host every millisecond sees only the old answer, then the new one). Prints its
 * figures (readiness time, hosts in the first version, transient answers, versions per change) on stdout.
 * {@code -Dsignalbox.tables.ingresses=1000} sizes the start-up case.
 */
class WholeTablesIT {
    private static final Manifests MANIFESTS = new Manifests("bench");

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CHANGES = Integer.getInteger("signalbox.tables.changes", 100);

    @TempDir
    Path dir;

    @Test
    void theFirstReadyVersionServesEveryIngressPresentAtStartup() throws Exception {
        int count = Integer.getInteger("signalbox.tables.ingresses", 50);
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(); EchoBackend a = EchoBackend.start("A")) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            write("class.yaml", Manifests.ingressClass());
            for (int i = 0; i < count; i++) {
                write("app-" + i + ".yaml", MANIFESTS.service("app-" + i, a.port()) + "---\n"
                        + MANIFESTS.ingress("app-" + i, "app-" + i + ".test", "/", "app-" + i));
            }
            // The compiler and the proxy first, as a rolling start may order them: they get 5 s to become ready
            // on their own (they must not: there is no table yet), then the watcher starts.
            try (Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
                 ProxyNode proxy = Pipeline.proxy(bootstrap, "p1")) {
                long waitUntil = System.nanoTime() + 5_000_000_000L;
                Await.until("5 s, or the proxy ready before any watcher ran", WAIT,
                        () -> ready(proxy) || System.nanoTime() > waitUntil);
                boolean readyWithoutWatcher = ready(proxy);
                long t0 = System.nanoTime();
                try (Watcher watcher = Watcher.startManifests(WatcherConfig.defaults(bootstrap, "local").withManifestsDir(dir))) {
                    int[] missingWhenReady = {-1};
                    long[] readyAt = {0};
                    Await.until("the proxy serves every host", WAIT, () -> {
                        if (missingWhenReady[0] < 0 && ready(proxy)) {
                            readyAt[0] = System.nanoTime();
                            missingWhenReady[0] = missing(proxy, count);
                        }
                        return missingWhenReady[0] >= 0 && missing(proxy, count) == 0;
                    });
                    long readyMs = (readyAt[0] - t0) / 1_000_000;
                    RoutingSnapshot first = firstSnapshot(bootstrap);
                    int hostsInFirst = first.table().virtualHosts().size();
                    System.out.printf("FIGURES startup: %d Ingresses, ready %s before the watcher started, ready"
                            + " %d ms after it started, %d hosts not served when first ready, first version %d holds %d"
                            + " hosts%n", count, readyWithoutWatcher ? "already" : "not", readyMs, missingWhenReady[0],
                            first.version(), hostsInFirst);
                    assertEquals(false, readyWithoutWatcher, "ready before any cluster's initial state was in a table");
                    assertEquals(count, hostsInFirst, "the first version holds every Ingress present at startup");
                    assertEquals(0, missingWhenReady[0], "hosts not served when the proxy first said it was ready");
                }
            }
        }
    }

    private static boolean ready(ProxyNode proxy) {
        HttpResponse<String> r = Http.tryGet(proxy.adminPort(), "localhost", "/readyz");
        return r != null && r.statusCode() == 200;
    }

    private static int missing(ProxyNode proxy, int count) {
        int missing = 0;
        for (int i = 0; i < count; i++) {
            if (!Pipeline.served(proxy, "app-" + i + ".test")) {
                missing++;
            }
        }
        return missing;
    }

    @Test
    void aFileThatChangesSeveralObjectsIsServedWhole() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend a = EchoBackend.start("A");
             EchoBackend b = EchoBackend.start("B")) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            write("class.yaml", Manifests.ingressClass());
            write("seed.yaml", MANIFESTS.service("seed", a.port()) + "---\n" + MANIFESTS.ingress("seed", "seed.test", "/", "seed"));
            try (Pipeline p = Pipeline.start(bootstrap, "local", dir, 1)) {
                ProxyNode proxy = p.proxies().get(0);
                p.awaitServed("seed.test", WAIT);
                List<String> transients = new ArrayList<>();
                long[] versions = new long[3];
                String[] phases = {"create Service+EndpointSlice+Ingress", "switch the Ingress to a Service of the same file",
                        "remove all three"};
                for (int phase = 0; phase < 3; phase++) {
                    long before = settledVersion(proxy);
                    for (int i = 0; i < CHANGES; i++) {
                        String host = "c" + i + ".test";
                        String file = "c" + i + ".yaml";
                        String oldAnswer = phase == 0 ? "404" : phase == 1 ? "200 A" : "200 B";
                        String newAnswer = phase == 0 ? "200 A" : phase == 1 ? "200 B" : "404";
                        try (HostPoller poller = new HostPoller(proxy.httpPort(), host)) {
                            Await.until(host + " answers " + oldAnswer, WAIT, () -> oldAnswer.equals(poller.last()));
                            switch (phase) {
                                case 0 -> write(file, MANIFESTS.service("c" + i, a.port()) + "---\n"
                                        + MANIFESTS.ingress("c" + i, host, "/", "c" + i));
                                case 1 -> write(file, MANIFESTS.service("c" + i, a.port()) + "---\n"
                                        + MANIFESTS.service("c" + i + "b", b.port()) + "---\n"
                                        + MANIFESTS.ingress("c" + i, host, "/", "c" + i + "b"));
                                default -> Files.delete(dir.resolve(file));
                            }
                            Await.until(host + " answers " + newAnswer, WAIT, () -> newAnswer.equals(poller.last()));
                            long until = System.nanoTime() + 20_000_000;
                            Await.until("20 ms more of polling", WAIT, () -> System.nanoTime() > until);
                            poller.stop();
                            if (!poller.answers().equals(List.of(oldAnswer, newAnswer))) {
                                transients.add(phases[phase] + " " + host + ": " + poller.answers());
                            }
                        }
                    }
                    versions[phase] = settledVersion(proxy) - before;
                }
                for (int phase = 0; phase < 3; phase++) {
                    System.out.printf("FIGURES changes: %s: %d changes, %d versions%n", phases[phase], CHANGES, versions[phase]);
                }
                System.out.printf("FIGURES changes: %d changes with an answer other than the old or the new one%n",
                        transients.size());
                transients.forEach(t -> System.out.println("FIGURES transient: " + t));
                assertEquals(List.of(), transients, "answers other than the old or the new one");
                for (int phase = 0; phase < 3; phase++) {
                    assertTrue(versions[phase] <= CHANGES, phases[phase] + ": " + versions[phase] + " versions for "
                            + CHANGES + " changes");
                }
            }
        }
    }

    /** The proxy's version once it has not changed for 300 ms. */
    private static long settledVersion(ProxyNode proxy) {
        long[] last = {proxy.appliedVersion(), System.nanoTime()};
        Await.until("the version settles", WAIT, () -> {
            long v = proxy.appliedVersion();
            if (v != last[0]) {
                last[0] = v;
                last[1] = System.nanoTime();
            }
            return System.nanoTime() - last[1] > 300_000_000L;
        });
        return last[0];
    }

    static RoutingSnapshot firstSnapshot(String bootstrap) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "whole-tables-it")) {
            log.seekToBeginning();
            return Await.value("the first snapshot", WAIT, () -> {
                List<RoutingSnapshot> s = log.poll(Duration.ofMillis(200));
                return s.isEmpty() ? null : s.get(0);
            }, java.util.Objects::nonNull);
        }
    }

    /** Writes aside and renames into place, as Kubernetes does for ConfigMap volumes. */
    private void write(String name, String text) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
