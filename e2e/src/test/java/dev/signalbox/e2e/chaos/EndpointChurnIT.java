package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.e2e.Pipeline;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One of three endpoints of a Service dies under load (its process gone, the EndpointSlice still lists it,
 * as between a pod's crash and Kubernetes noticing), comes back later on the same port, and a fourth
 * endpoint is added. GET requests must not fail: a refused connection is retried on another endpoint and
 * the dead one is ejected. Prints the error rate, ejections, retries and how soon traffic reaches the
 * returned and the new endpoint.
 */
class EndpointChurnIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration DEAD_FOR = Duration.ofSeconds(8);
    private static final int CLIENTS = 2;

    @Test
    void aBackendKilledUnderLoadCostsNoGetRequest(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        List<EchoBackend> backends = new ArrayList<>(List.of(EchoBackend.start("b1"), EchoBackend.start("b2"),
                EchoBackend.start("b3")));
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("svc", ports(backends)));
            Files.writeString(manifests.resolve("churn.yaml"), MANIFESTS.ingress("churn", "churn.local", "/", "svc"));
            try (Pipeline pipeline = Pipeline.start(bootstrap, "churn", manifests, 1)) {
                ProxyNode proxy = pipeline.proxies().get(0);
                Await.value("churn.local served", WAIT, () -> Http.tryGet(proxy.httpPort(), "churn.local", "/"),
                        r -> r != null && r.statusCode() == 200);
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong sent = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                Map<String, Long> failures = new ConcurrentHashMap<>();
                List<Thread> load = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Thread t = new Thread(() -> {
                        while (running.get()) {
                            HttpResponse<String> r = Http.tryGet(proxy.httpPort(), "churn.local", "/");
                            sent.incrementAndGet();
                            if (r == null || r.statusCode() != 200) {
                                failed.incrementAndGet();
                                failures.merge(r == null ? "no response" : r.statusCode() + " " + r.body().trim(),
                                        1L, Long::sum);
                            }
                        }
                    }, "churn-load-" + c);
                    t.start();
                    load.add(t);
                }
                try {
                    Await.until("steady load", WAIT, () -> sent.get() >= 300);
                    EchoBackend victim = backends.get(1);
                    int victimPort = victim.port();
                    long sentBefore = sent.get();
                    long failedBefore = failed.get();
                    victim.close();
                    long killedAt = System.nanoTime();
                    Await.until("the dead endpoint is ejected", WAIT,
                            () -> Scrape.metric(proxy.adminPort(), "signalbox_outlier_ejections_total") >= 1);
                    long ejectedMs = (System.nanoTime() - killedAt) / 1_000_000;
                    Await.until("the endpoint stays dead for " + DEAD_FOR, DEAD_FOR.plusSeconds(5),
                            () -> System.nanoTime() - killedAt >= DEAD_FOR.toNanos());

                    EchoBackend back = EchoBackend.start("b2-back", victimPort);
                    backends.set(1, back);
                    long backAt = System.nanoTime();
                    Await.until("the returned endpoint gets traffic again", WAIT, () -> back.requests() > 0);
                    long returnedMs = (System.nanoTime() - backAt) / 1_000_000;

                    EchoBackend added = EchoBackend.start("b4");
                    backends.add(added);
                    long addedAt = System.nanoTime();
                    Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("svc", ports(backends)));
                    Await.until("the added endpoint gets traffic", WAIT, () -> added.requests() > 0);
                    long addedMs = (System.nanoTime() - addedAt) / 1_000_000;
                    long sentAtEnd = sent.get();
                    Await.until("load after the churn", WAIT, () -> sent.get() >= sentAtEnd + 300);
                    running.set(false);
                    for (Thread t : load) {
                        t.join();
                    }

                    long churnSent = sentAtEnd - sentBefore;
                    long churnFailed = failed.get() - failedBefore;
                    double ejections = Scrape.metric(proxy.adminPort(), "signalbox_outlier_ejections_total");
                    double retries = Scrape.metric(proxy.adminPort(), "signalbox_upstream_retries_total");
                    double refused = Scrape.metric(proxy.adminPort(), "signalbox_upstream_errors_total");
                    System.out.printf("endpoint churn (1 of 3 killed for %d s, back on its port, a 4th added), %d GET "
                            + "clients: %d requests, %d failed (%.3f%% during the churn: %d of %d); ejected %d ms "
                            + "after the kill; %.0f ejections, %.0f retries, %.0f failed connections; returned "
                            + "endpoint served again %d ms after it came back, added endpoint served %d ms after "
                            + "the manifest changed; failures %s%n", DEAD_FOR.toSeconds(), CLIENTS, sent.get(),
                            failed.get(), churnSent == 0 ? 0.0 : 100.0 * churnFailed / churnSent, churnFailed,
                            churnSent, ejectedMs, ejections, retries, refused, returnedMs, addedMs, failures);
                    ChaosReport.row("backend endpoint killed under load, back after " + DEAD_FOR.toSeconds()
                                    + " s, one added", "ejected in " + ejectedMs + " ms; back in rotation "
                                    + returnedMs + " ms, new endpoint " + addedMs + " ms",
                            "0 (" + (long) retries + " connect failures retried, " + (long) ejections + " ejections)",
                            "n/a", failed.get() + " of " + sent.get() + " GET");
                    assertEquals(0, failed.get(), "no GET fails while an endpoint dies and returns: " + failures);
                    assertTrue(retries >= 1, "the dead endpoint's refusals were retried elsewhere");
                } finally {
                    running.set(false);
                    for (Thread t : load) {
                        t.join();
                    }
                }
            }
        } finally {
            for (EchoBackend b : backends) {
                b.close();
            }
        }
    }

    private static int[] ports(List<EchoBackend> backends) {
        return backends.stream().mapToInt(EchoBackend::port).toArray();
    }
}
