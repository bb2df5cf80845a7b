package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Fault test with real processes: `bin/ingress compiler` (the launcher's compiler command in its own JVM)
 * is killed with SIGKILL twice while Ingress changes stream in; a new process is started each time. The
 * snapshot versions must stay 1, 2, 3... with no gap or duplicate, and the last snapshot must reflect every
 * change. Prints the recovery times.
 */
class CompilerKillIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CHANGES = 120;

    @Test
    void compilerKilledMidStreamContinuesVersionsWithNoGapOrDuplicate() throws Exception {
        // The killed processes' logs stay for inspection.
        Path logs = java.nio.file.Files.createDirectories(Path.of("target", "chaos-logs"));
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             KafkaProducer<String, byte[]> events = producer(kafka.bootstrapServers());
             SnapshotLog snapshots = SnapshotLog.connect(kafka.bootstrapServers(), "chaos-reader")) {
            TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
            publish(events, Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", false));
            publish(events, Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null,
                    List.of(new ServiceState.Port("http", 80, "8080", "TCP"))));
            publish(events, Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                    List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                    List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.1"), true, true, false))));

            Process compiler = startCompiler(kafka.bootstrapServers(), logs.resolve("compiler-0.log"));
            List<Long> recoveries = new ArrayList<>();
            try {
                Await.until("the first compiler publishes", WAIT, () -> latestVersion(snapshots) > 0);
                for (int i = 0; i < CHANGES; i++) {
                    publishIngress(events, i);
                    if (i == 40 || i == 80) {
                        compiler.destroyForcibly().waitFor();
                        long before = latestVersion(snapshots);
                        long t0 = System.nanoTime();
                        compiler = startCompiler(kafka.bootstrapServers(), logs.resolve("compiler-" + i + ".log"));
                        publishIngress(events, ++i);
                        Await.until("the restarted compiler publishes", WAIT, () -> latestVersion(snapshots) > before);
                        recoveries.add((System.nanoTime() - t0) / 1_000_000);
                    }
                    Thread.sleep(15);
                }
                String last = "host-" + (CHANGES - 1) + ".example.com";
                Await.until("the last change is compiled", WAIT, () -> snapshots.latest(WAIT)
                        .map(s -> s.table().virtualHosts().stream().anyMatch(v -> v.host().equals(last))).orElse(false));
            } finally {
                compiler.destroyForcibly().waitFor();
            }

            snapshots.seekToBeginning();
            List<RoutingSnapshot> all = new ArrayList<>();
            long end = latestVersionAfterSeek(snapshots, all);
            long duplicates = 0;
            long gaps = 0;
            for (int i = 1; i < all.size(); i++) {
                long step = all.get(i).version() - all.get(i - 1).version();
                duplicates += step == 0 ? 1 : 0;
                gaps += step > 1 ? 1 : 0;
            }
            RoutingSnapshot lastSnapshot = all.get(all.size() - 1);
            long hosts = lastSnapshot.table().virtualHosts().stream().filter(v -> v.host().startsWith("host-")).count();
            System.out.printf("compiler SIGKILLed twice during %d changes: %d versions, %d gaps, %d duplicates; "
                    + "restart (new JVM) to next version: %s ms%n", CHANGES, end, gaps, duplicates, recoveries);
            ChaosReport.row("compiler SIGKILLed twice during " + CHANGES + " events (new JVM each time)",
                    "restart -> next version " + ChaosReport.seconds(recoveries),
                    (CHANGES - hosts) + " of " + CHANGES + " events; " + gaps + " version gaps",
                    duplicates + " versions", "n/a (no HTTP load)");
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).version(), "versions are 1, 2, 3... with no gap or duplicate");
                assertEquals(i, all.get(i).previousVersion());
            }
            assertEquals(CHANGES, hosts, "every change made it into the last snapshot");
            assertTrue(recoveries.size() == 2);
        }
    }

    private static long latestVersionAfterSeek(SnapshotLog log, List<RoutingSnapshot> into) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int empty = 0;
        while (System.nanoTime() < deadline && empty < 3) {
            List<RoutingSnapshot> got = log.poll(Duration.ofMillis(500));
            if (got.isEmpty()) {
                empty++;
            }
            into.addAll(got);
        }
        return into.isEmpty() ? 0 : into.get(into.size() - 1).version();
    }

    private static long latestVersion(SnapshotLog log) {
        return log.latest(WAIT).map(RoutingSnapshot::version).orElse(0L);
    }

    private static Process startCompiler(String bootstrap, Path log) throws IOException {
        return IngressProcess.start("256m", log, "compiler", "--kafka", bootstrap);
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static void publishIngress(KafkaProducer<String, byte[]> events, int i) {
        publish(events, Kind.INGRESS, "ns", "ing-" + i, new IngressState("signalbox", Map.of(), Instant.EPOCH, null, List.of(),
                List.of(new IngressState.Rule("host-" + i + ".example.com", List.of(new IngressState.PathRule("/", "Prefix",
                        new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null)))))));
    }

    private static void publish(KafkaProducer<String, byte[]> events, Kind kind, String ns, String name, ObjectState state) {
        ObjectKey key = new ObjectKey("c1", kind, ns, name);
        events.send(new ProducerRecord<>(Topics.EVENTS, key.recordKey(),
                ClusterEventCodec.encode(ClusterEvent.upsert(key, "uid-" + name, "1", Instant.now(), 1, state))));
        events.flush();
    }

}
