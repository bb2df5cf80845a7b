package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.codec.SnapshotCodec;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The compiler against a real broker: exactly-once versions across restarts and takeovers, replay, big snapshots. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompilerIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static EmbeddedKafka kafka;
    private static KafkaProducer<String, byte[]> events;
    private static SnapshotLog snapshots;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        events = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        snapshots = SnapshotLog.connect(kafka.bootstrapServers(), "compiler-it");
        publish(Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", false));
        publish(Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null, List.of(new ServiceState.Port("http", 80, "8080", "TCP"))));
        publish(Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.1"), true, true, false))));
    }

    @AfterAll
    static void stopKafka() {
        snapshots.close();
        events.close();
        kafka.close();
    }

    private static void publish(Kind kind, String ns, String name, ObjectState state) {
        ObjectKey key = new ObjectKey("c1", kind, ns, name);
        ClusterEvent e = ClusterEvent.upsert(key, "uid-" + name, "1", Instant.parse("2026-01-01T00:00:00Z"), 1, state);
        events.send(new ProducerRecord<>(Topics.EVENTS, key.recordKey(), ClusterEventCodec.encode(e)));
        events.flush();
    }

    private static void ingress(String name, String host) {
        publish(Kind.INGRESS, "ns", name, new IngressState("signalbox", Map.of(), Instant.EPOCH, null, List.of(),
                List.of(new IngressState.Rule(host, List.of(new IngressState.PathRule("/", "Prefix",
                        new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null)))))));
    }

    private static RoutingSnapshot latest() {
        return snapshots.latest(WAIT).orElse(null);
    }

    private static RoutingSnapshot awaitHost(String host) {
        return Await.value("a snapshot routing " + host, WAIT, CompilerIT::latest,
                s -> s != null && s.table().virtualHosts().stream().anyMatch(v -> v.host().equals(host)));
    }

    private static List<RoutingSnapshot> allSnapshots() {
        snapshots.seekToBeginning();
        RoutingSnapshot last = latest();
        snapshots.seekToBeginning();
        List<RoutingSnapshot> all = new ArrayList<>();
        while (all.isEmpty() || all.get(all.size() - 1).version() < last.version()) {
            all.addAll(snapshots.poll(Duration.ofMillis(500)));
        }
        return all;
    }

    @Test
    @Order(1)
    void versionsContinueWithNoGapOrDuplicateAcrossRestartsAndTakeovers() throws Exception {
        CompilerConfig config = CompilerConfig.defaults(kafka.bootstrapServers());
        try (Compiler first = Compiler.start(config)) {
            for (int i = 0; i < 5; i++) {
                ingress("r" + i, "r" + i + ".example.com");
                awaitHost("r" + i + ".example.com");
            }
        }
        // Changes while no compiler runs are picked up by the next one, which continues the sequence.
        ingress("r5", "r5.example.com");
        ingress("r6", "r6.example.com");
        Compiler second = Compiler.start(config);
        awaitHost("r6.example.com");
        Await.until("the second compiler is active", WAIT, second::isActive);
        // A third compiler stands by while the second holds the lease, and takes over when it stops.
        try (Compiler third = Compiler.start(config)) {
            ingress("r7", "r7.example.com");
            awaitHost("r7.example.com");
            ingress("r8", "r8.example.com");
            RoutingSnapshot r8 = awaitHost("r8.example.com");
            assertEquals(r8.version(), second.publishedVersion(), "the active compiler published the changes");
            assertTrue(!third.isActive() && third.publishedVersion() == 0, "the standby published nothing");
            second.close();
            ingress("r9", "r9.example.com");
            RoutingSnapshot r9 = awaitHost("r9.example.com");
            assertEquals(r9.version(), third.publishedVersion(), "the standby took over when the active one stopped");
        } finally {
            second.close();
        }

        List<RoutingSnapshot> all = allSnapshots();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).version(), "versions are 1, 2, 3... with no gap or duplicate");
            assertEquals(i, all.get(i).previousVersion());
            if (i > 0) {
                assertTrue(!all.get(i).contentHash().equals(all.get(i - 1).contentHash()), "a version is only published for a change");
            }
        }
        // The takeover's first version (9) is a delta on the chain the third compiler read while standing by, not the
        // whole table again. (The earlier ones are whole for their size: a delta over half a tiny table is not sent.)
        List<SnapshotLog.Entry> entries = snapshots.read(snapshots.beginningOffset(WAIT), snapshots.endOffset(WAIT), 100, WAIT);
        assertEquals(all.size(), entries.size());
        assertNotNull(entries.get(8).delta(), "version 9 went out as a delta");
    }

    @Test
    @Order(2)
    void replayingTheEventsOfASnapshotGivesTheSameTable() {
        RoutingSnapshot last = latest();
        assertEquals(last.contentHash(), SnapshotCodec.contentHash(Replay.tableAt(kafka.bootstrapServers(), last.provenance())));
        for (RoutingSnapshot s : allSnapshots()) {
            assertEquals(s.table(), Replay.tableAt(kafka.bootstrapServers(), s.provenance()),
                    "version " + s.version() + " replays to the same table");
        }
    }

    @Test
    @Order(3)
    void fiveThousandIngressesMakeOneSnapshotSpanningSeveralChunkRecords() {
        try (Compiler compiler = Compiler.start(CompilerConfig.defaults(kafka.bootstrapServers()))) {
            for (int i = 0; i < 5000; i++) {
                ObjectKey key = new ObjectKey("c1", Kind.INGRESS, "ns", "bulk-" + i);
                IngressState s = new IngressState("signalbox", Map.of(), Instant.EPOCH, null, List.of(),
                        List.of(new IngressState.Rule("bulk-" + i + ".example.com", List.of(
                                new IngressState.PathRule("/api/v1/items/" + i, "Prefix",
                                        new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null))))));
                events.send(new ProducerRecord<>(Topics.EVENTS, key.recordKey(), ClusterEventCodec.encode(
                        ClusterEvent.upsert(key, "u" + i, "1", Instant.EPOCH, 1, s))));
            }
            events.flush();
            RoutingSnapshot big = Await.value("a snapshot with all 5000 bulk hosts", WAIT, CompilerIT::latest,
                    s -> s != null && s.table().virtualHosts().stream().filter(v -> v.host().startsWith("bulk-")).count() == 5000);
            assertTrue(chunkCount(big.version()) > 1, "the snapshot spans several records");
        }
    }

    @Test
    @Order(4)
    void aRestartedCompilerRestoresItsModelFromTheCheckpointAndContinuesCorrectly() {
        RoutingSnapshot before = latest();
        long t0 = System.nanoTime();
        try (Compiler compiler = Compiler.start(CompilerConfig.defaults(kafka.bootstrapServers()))) {
            ingress("after-restart", "after-restart.example.com");
            RoutingSnapshot next = awaitHost("after-restart.example.com");
            System.out.printf("restart with %d hosts to the next version published: %d ms%n",
                    before.table().virtualHosts().size(), (System.nanoTime() - t0) / 1_000_000);
            assertEquals(before.version() + 1, next.version());
            assertEquals(before.table().virtualHosts().size() + 1, next.table().virtualHosts().size());
            assertEquals(next.table(), Replay.tableAt(kafka.bootstrapServers(), next.provenance()),
                    "the restored model compiles to what the event history says");
        }
    }

    @Test
    @Order(5)
    void aRestartOfTheSameBuildStartsFromItsLatestSnapshotAndCompilesOnlyTheChange() {
        RoutingSnapshot before = latest();
        try (Compiler compiler = Compiler.start(CompilerConfig.defaults(kafka.bootstrapServers()))) {
            publish(Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                    List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                    List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.2"), true, true, false))));
            RoutingSnapshot next = Await.value("the endpoint change published", WAIT, CompilerIT::latest,
                    s -> s != null && s.version() > before.version());
            assertEquals(before.version() + 1, next.version());
            assertEquals(List.of("10.0.0.2"), next.table().backends().stream().flatMap(b -> b.endpoints().stream())
                    .map(e -> e.address()).distinct().toList());
            // Its checkpoint said this build compiled that fold to the latest snapshot's table: no whole compile.
            assertEquals(0.0, wholeCompiles(compiler), "whole compiles after the restart");
            assertEquals(next.table(), Replay.tableAt(kafka.bootstrapServers(), next.provenance()),
                    "the version built on the snapshot's table is what the event history says");
        }
    }

    private static double wholeCompiles(Compiler c) {
        return c.metrics().registry().scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals("signalbox_compiler_whole_compiles"))
                .flatMap(m -> m.getDataPoints().stream())
                .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .sum();
    }

    private static int chunkCount(long version) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(SnapshotLog.PARTITION));
            c.seekToBeginning(List.of(SnapshotLog.PARTITION));
            long end = c.endOffsets(List.of(SnapshotLog.PARTITION)).get(SnapshotLog.PARTITION);
            int count = 0;
            while (c.position(SnapshotLog.PARTITION) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    String v = new String(r.headers().lastHeader("signalbox.snapshot.version").value(), StandardCharsets.US_ASCII);
                    if (Long.parseLong(v) == version) {
                        count++;
                    }
                }
            }
            return count;
        }
    }
}
