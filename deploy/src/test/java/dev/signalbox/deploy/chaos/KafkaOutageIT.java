package dev.signalbox.deploy.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
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
 * The broker goes away for {@link #OUTAGE} under steady traffic: proxies keep serving the last snapshot
 * with no failed request on existing routes, and when the broker comes back (same data, same port) a
 * change made during the outage reaches every proxy. Prints the request count and the convergence time.
 */
class KafkaOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(15);
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void proxiesServeThroughABrokerOutageAndConvergeWhenItReturns(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Path data = dir.resolve("kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(data, 0);
        int port = kafka.port();
        String bootstrap = kafka.bootstrapServers();
        TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
        try (EchoBackend backend = EchoBackend.start("steady");
             Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
             ProxyNode p1 = proxy(bootstrap, "p1");
             ProxyNode p2 = proxy(bootstrap, "p2")) {
            Files.writeString(manifests.resolve("class.yaml"), ChaosManifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), ChaosManifests.service("svc", backend.port()));
            Files.writeString(manifests.resolve("steady.yaml"), ChaosManifests.ingress("steady", "steady.local", "svc"));
            try (Watcher watcher = Watcher.startManifests(WatcherConfig.defaults(bootstrap, "outage").withManifestsDir(manifests))) {
                for (ProxyNode p : List.of(p1, p2)) {
                    awaitServed(p, "steady.local");
                }
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong sent = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                Thread load = new Thread(() -> {
                    while (running.get()) {
                        for (ProxyNode p : List.of(p1, p2)) {
                            HttpResponse<String> r = Http.tryGet(p.httpPort(), "steady.local", "/");
                            sent.incrementAndGet();
                            if (r == null || r.statusCode() != 200) {
                                failed.incrementAndGet();
                            }
                        }
                    }
                }, "outage-load");
                load.start();
                try {
                    kafka.close();
                    long down = System.nanoTime();
                    // A change made while the broker is away is published once it returns.
                    Files.writeString(manifests.resolve("later.yaml"), ChaosManifests.ingress("later", "later.local", "svc"));
                    Await.until("the outage lasts " + OUTAGE, OUTAGE.plusSeconds(5), () -> System.nanoTime() - down >= OUTAGE.toNanos());
                    kafka = EmbeddedKafka.start(data, port);
                    long back = System.nanoTime();
                    for (ProxyNode p : List.of(p1, p2)) {
                        awaitServed(p, "later.local");
                    }
                    long converged = (System.nanoTime() - back) / 1_000_000;
                    running.set(false);
                    load.join();
                    System.out.printf("broker down %d s under load: %d requests, %d failed; broker back -> change made "
                            + "during the outage served by both proxies in %d ms%n", OUTAGE.toSeconds(), sent.get(),
                            failed.get(), converged);
                    ChaosReport.row("single broker down " + OUTAGE.toSeconds() + " s under HTTP load (2 proxies)",
                            String.format("broker back -> change made in the outage served %.1f s", converged / 1000.0),
                            "0 of 1 changes (served after the return)", "n/a",
                            failed.get() + " of " + sent.get() + " requests");
                    assertEquals(0, failed.get(), "no request on an existing route fails while Kafka is away");
                } finally {
                    running.set(false);
                    load.join();
                }
            }
        } finally {
            kafka.close();
        }
    }

    private static ProxyNode proxy(String bootstrap, String id) {
        return ProxyNode.start(new ProxyConfig(bootstrap, id, "127.0.0.1", 0, 0, Duration.ofSeconds(2), Duration.ofSeconds(30)));
    }

    private static void awaitServed(ProxyNode p, String host) {
        Await.value(host + " served by proxy " + p.httpPort(), WAIT, () -> Http.tryGet(p.httpPort(), host, "/"),
                r -> r != null && r.statusCode() == 200);
    }
}
