package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.e2e.Pipeline;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * The broker (all of them: there is one) goes away for {@link #OUTAGE} under steady traffic: proxies keep
 * serving the last snapshot with no failed request on existing routes and stay ready, while /readyz and
 * /metrics say Kafka is unreachable; when the broker comes back (same data, same port) they say it is
 * reachable again and a change made during the outage reaches every proxy. Prints the request count, how
 * soon the proxies noticed the outage and the return, and the convergence time.
 */
class KafkaOutageIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    /** The detection the proxies promise: {@code FeedHealth.DEFAULT_SILENCE_LIMIT} plus a poll, with room. */
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void proxiesServeThroughABrokerOutageAndConvergeWhenItReturns(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Path data = dir.resolve("kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(data, 0);
        int port = kafka.port();
        String bootstrap = kafka.bootstrapServers();
        TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
        try (EchoBackend backend = EchoBackend.start("steady")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("svc", backend.port()));
            Files.writeString(manifests.resolve("steady.yaml"), MANIFESTS.ingress("steady", "steady.local", "/", "svc"));
            try (Pipeline pipeline = Pipeline.start(bootstrap, "outage", manifests, 2)) {
                ProxyNode p1 = pipeline.proxies().get(0);
                ProxyNode p2 = pipeline.proxies().get(1);
                pipeline.awaitServed("steady.local", WAIT);
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong sent = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                AtomicLong notReady = new AtomicLong();
                Thread load = new Thread(() -> {
                    while (running.get()) {
                        for (ProxyNode p : List.of(p1, p2)) {
                            HttpResponse<String> r = Http.tryGet(p.httpPort(), "steady.local", "/");
                            sent.incrementAndGet();
                            if (r == null || r.statusCode() != 200) {
                                failed.incrementAndGet();
                            }
                            if (sent.get() % 50 == 0) {
                                HttpResponse<String> ready = Http.tryGet(p.adminPort(), null, "/readyz");
                                if (ready == null || ready.statusCode() != 200) {
                                    notReady.incrementAndGet();
                                }
                            }
                        }
                    }
                }, "outage-load");
                load.start();
                try {
                    for (ProxyNode p : List.of(p1, p2)) {
                        assertEquals("ready true", readyDetail(p), "before the outage");
                        assertEquals(1.0, Scrape.metric(p.adminPort(), "signalbox_kafka_reachable"));
                    }
                    kafka.close();
                    long down = System.nanoTime();
                    // A change made while the broker is away is published once it returns.
                    Files.writeString(manifests.resolve("later.yaml"), MANIFESTS.ingress("later", "later.local", "/", "svc"));
                    long detectedDown = 0;
                    for (ProxyNode p : List.of(p1, p2)) {
                        Await.until("proxy " + p.adminPort() + " reports Kafka unreachable", WAIT,
                                () -> readyDetail(p).equals("ready false")
                                        && Scrape.metric(p.adminPort(), "signalbox_kafka_reachable") == 0.0);
                        detectedDown = (System.nanoTime() - down) / 1_000_000;
                    }
                    String duringOutage = readyz(p1).toString();
                    Await.until("the outage lasts " + OUTAGE, OUTAGE.plusSeconds(5), () -> System.nanoTime() - down >= OUTAGE.toNanos());
                    for (ProxyNode p : List.of(p1, p2)) {
                        assertEquals("ready false", readyDetail(p), "at the end of the outage");
                    }
                    kafka = EmbeddedKafka.start(data, port);
                    long back = System.nanoTime();
                    long detectedUp = 0;
                    for (ProxyNode p : List.of(p1, p2)) {
                        Await.until("proxy " + p.adminPort() + " reports Kafka reachable", WAIT,
                                () -> readyDetail(p).equals("ready true")
                                        && Scrape.metric(p.adminPort(), "signalbox_kafka_reachable") == 1.0);
                        detectedUp = (System.nanoTime() - back) / 1_000_000;
                    }
                    for (ProxyNode p : List.of(p1, p2)) {
                        Pipeline.awaitServed(p, "later.local", WAIT);
                    }
                    long converged = (System.nanoTime() - back) / 1_000_000;
                    running.set(false);
                    load.join();
                    System.out.printf("broker down %d s under load: %d requests, %d failed, %d /readyz checks not 200; "
                            + "both proxies reported Kafka unreachable %d ms after it stopped (/readyz then: %s) and "
                            + "reachable %d ms after it returned; change made during the outage served by both proxies "
                            + "%d ms after the broker returned%n", OUTAGE.toSeconds(), sent.get(), failed.get(),
                            notReady.get(), detectedDown, duringOutage, detectedUp, converged);
                    ChaosReport.row("Kafka (every broker) down " + OUTAGE.toSeconds() + " s under load",
                            "outage seen in " + detectedDown + " ms, return in " + detectedUp + " ms; converged "
                                    + converged + " ms after return", "0 (last snapshot served)", "n/a",
                            failed.get() + " of " + sent.get());
                    assertEquals(0, failed.get(), "no request on an existing route fails while Kafka is away");
                    assertEquals(0, notReady.get(), "proxies stay ready while they serve their last snapshot");
                    assertTrue(detectedDown < DETECTION_BOUND.toMillis(), "outage noticed after " + detectedDown + " ms");
                } finally {
                    running.set(false);
                    load.join();
                }
            }
        } finally {
            kafka.close();
        }
    }

    private static JsonNode readyz(ProxyNode p) {
        HttpResponse<String> r = Http.tryGet(p.adminPort(), null, "/readyz");
        if (r == null) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "status kafka.reachable" from /readyz, e.g. "ready false". */
    private static String readyDetail(ProxyNode p) {
        JsonNode j = readyz(p);
        return j.path("status").asText() + " " + j.path("kafka").path("reachable").asText();
    }
}
