package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.Topics;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records nobody can decode, in both topics, are skipped and counted; routing goes on. */
class PoisonRecordsIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void undecodableRecordsInBothTopicsAreSkippedAndCountedWhileChangesKeepFlowing(@TempDir Path dir) throws Exception {
        try (EchoBackend a = EchoBackend.start("a")) {
            Path manifests = Files.createDirectories(dir.resolve("manifests"));
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("svc-a", a.port()));
            Files.writeString(manifests.resolve("one.yaml"), MANIFESTS.ingress("one", "one.local", "/", "svc-a"));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 2);
            try (LocalMode local = LocalMode.start(config)) {
                for (ProxyNode p : local.proxies()) {
                    awaitServed(p, "one.local");
                }
                Properties props = new Properties();
                props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, local.bootstrapServers());
                try (KafkaProducer<byte[], byte[]> poison = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                    byte[] junk = "{not json".getBytes(StandardCharsets.UTF_8);
                    poison.send(new ProducerRecord<>(Topics.EVENTS, "local/Ingress/bench/x".getBytes(StandardCharsets.UTF_8), junk));
                    poison.send(new ProducerRecord<>(Topics.EVENTS, "no-key-shape".getBytes(StandardCharsets.UTF_8),
                            "{\"formatVersion\":99}".getBytes(StandardCharsets.UTF_8)));
                    poison.send(new ProducerRecord<>(Topics.SNAPSHOTS, 0, null, junk));
                    poison.flush();
                }
                long t0 = System.nanoTime();
                Files.writeString(manifests.resolve("two.yaml"), MANIFESTS.ingress("two", "two.local", "/", "svc-a"));
                for (ProxyNode p : local.proxies()) {
                    awaitServed(p, "two.local");
                }
                long servedMs = (System.nanoTime() - t0) / 1_000_000;
                ChaosReport.row("3 undecodable records in the events and snapshots topics",
                        "next change served by both proxies " + ChaosReport.seconds(List.of(servedMs)),
                        "0 of 1 changes; the 3 poison records skipped and counted", "n/a", "n/a (no HTTP load)");
                for (ProxyNode p : local.proxies()) {
                    String metrics = Http.get(p.adminPort(), null, "/metrics").body();
                    // Each proxy counts what its own snapshot reader skipped.
                    assertTrue(dev.signalbox.testing.PrometheusText.parse(metrics)
                            .value("signalbox_snapshot_decode_failures") >= 1, metrics);
                }
            }
        }
    }

    @Test
    void aGiganticIngressIsRejectedWithADiagnosticWithoutStallingTheChangesAroundIt(@TempDir Path dir) throws Exception {
        try (EchoBackend a = EchoBackend.start("a")) {
            Path manifests = Files.createDirectories(dir.resolve("manifests"));
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("svc-a", a.port()));
            // 2 MiB in an annotation routing reads: the event would exceed Kafka's 1 MiB record limit.
            String giant = MANIFESTS.ingress("giant", "giant.local", "/", "svc-a").replace("metadata:\n",
                    "metadata:\n  annotations:\n    signalbox.dev/comment: \"" + "x".repeat(2 * 1024 * 1024) + "\"\n");
            Files.writeString(manifests.resolve("giant.yaml"), giant);
            Files.writeString(manifests.resolve("one.yaml"), MANIFESTS.ingress("one", "one.local", "/", "svc-a"));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode p = local.proxies().get(0);
                awaitServed(p, "one.local");
                long t0 = System.nanoTime();
                Files.writeString(manifests.resolve("two.yaml"), MANIFESTS.ingress("two", "two.local", "/", "svc-a"));
                awaitServed(p, "two.local");
                long servedMs = (System.nanoTime() - t0) / 1_000_000;
                int giantStatus = Http.get(p.httpPort(), "giant.local", "/").statusCode();
                String routes = Http.get(p.adminPort(), null, "/routes").body();
                boolean diagnosed = routes.contains("\"name\" : \"giant\"")
                        && routes.contains("over the 921,600 byte limit of one record; not routed");
                ChaosReport.row("a 2 MiB Ingress (over the 1 MiB record limit) among changes",
                        "next change served " + ChaosReport.seconds(List.of(servedMs)),
                        "0 of 2 other changes; the oversized one rejected with a diagnostic"
                                + (diagnosed ? "" : " (MISSING)") + " (HTTP " + giantStatus + ")", "n/a",
                        "n/a (no HTTP load)");
                org.junit.jupiter.api.Assertions.assertEquals(404, giantStatus);
                assertTrue(diagnosed, routes.length() > 4000 ? routes.substring(0, 4000) : routes);
                String metrics = Http.get(p.adminPort(), null, "/metrics").body();
                assertTrue(metrics.contains("signalbox_snapshot_diagnostics"), "diagnostics gauge");
            }
        }
    }

    private static void awaitServed(ProxyNode p, String host) {
        Await.value(host + " served by proxy " + p.httpPort(), WAIT, () -> Http.tryGet(p.httpPort(), host, "/"),
                r -> r != null && r.statusCode() == 200);
    }
}
