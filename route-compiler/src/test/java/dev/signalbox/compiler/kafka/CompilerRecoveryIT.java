package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
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
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A compiler whose consumer group lost its offsets (expired after offsets.retention.minutes without a
 * publish, or deleted by an operator) recovers from the latest snapshot and never publishes a table built
 * from part of the log.
 */
class CompilerRecoveryIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int BULK = 6000;

    @Test
    void aCompilerWhoseGroupOffsetsWereDeletedPublishesNoPartialTable() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             KafkaProducer<String, byte[]> events = producer(kafka.bootstrapServers());
             SnapshotLog snapshots = SnapshotLog.connect(kafka.bootstrapServers(), "compiler-recovery-it")) {
            TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
            CompilerConfig config = CompilerConfig.defaults(kafka.bootstrapServers());
            publish(events, Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", false));
            publish(events, Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null,
                    List.of(new ServiceState.Port("http", 80, "8080", "TCP"))));
            publish(events, Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                    List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                    List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.1"), true, true, false))));
            // An Ingress deleted long ago: its UPSERT is early in the log, its DELETE after thousands of events.
            publish(events, Kind.INGRESS, "ns", "gone", ingress("gone.example.com"));
            for (int i = 0; i < BULK; i++) {
                publish(events, Kind.INGRESS, "ns", "bulk-" + i, ingress("bulk-" + i + ".example.com"));
            }
            delete(events, Kind.INGRESS, "ns", "gone");
            events.flush();

            RoutingSnapshot before;
            try (Compiler first = Compiler.start(config)) {
                before = Await.value("a snapshot of the whole log", WAIT, () -> snapshots.latest(WAIT).orElse(null),
                        s -> s != null && hosts(s).size() == BULK);
            }
            assertFalse(hosts(before).contains("gone.example.com"));

            // The group's offsets go away while no compiler runs, as they do after offsets.retention.minutes.
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                Set<TopicPartition> parts = new HashSet<>();
                for (int p = 0; p < 3; p++) {
                    parts.add(new TopicPartition(Topics.EVENTS, p));
                }
                admin.deleteConsumerGroupOffsets(config.groupId(), parts).all().get();
                assertTrue(admin.listConsumerGroupOffsets(config.groupId()).partitionsToOffsetAndMetadata().get().isEmpty(),
                        "the group has no offsets left");
            }

            try (Compiler second = Compiler.start(config)) {
                publish(events, Kind.INGRESS, "ns", "after", ingress("after.example.com"));
                events.flush();
                Await.value("a snapshot routing after.example.com", WAIT, () -> snapshots.latest(WAIT).orElse(null),
                        s -> s != null && hosts(s).contains("after.example.com"));
            }

            List<RoutingSnapshot> later = new ArrayList<>();
            snapshots.seekToBeginning();
            RoutingSnapshot last = null;
            while (last == null || last.version() < latestVersion(kafka.bootstrapServers())) {
                for (RoutingSnapshot s : snapshots.poll(Duration.ofMillis(500))) {
                    last = s;
                    if (s.version() > before.version()) {
                        later.add(s);
                    }
                }
            }
            for (RoutingSnapshot s : later) {
                Set<String> h = hosts(s);
                System.out.printf("version %d: %d hosts%s%n", s.version(), h.size(), h.contains("gone.example.com") ? " (gone.example.com back)" : "");
                assertTrue(h.containsAll(hosts(before)), "version " + s.version() + " lost routes: it has " + h.size()
                        + " hosts, version " + before.version() + " had " + hosts(before).size());
                assertFalse(h.contains("gone.example.com"), "version " + s.version() + " brought a deleted Ingress back");
            }
            assertEquals(List.of(before.version() + 1), later.stream().map(RoutingSnapshot::version).toList(),
                    "one new version, for the one change");
        }
    }

    private static long latestVersion(String bootstrap) {
        try (SnapshotLog l = SnapshotLog.connect(bootstrap, "compiler-recovery-it-latest")) {
            return l.latest(WAIT).map(RoutingSnapshot::version).orElse(0L);
        }
    }

    private static Set<String> hosts(RoutingSnapshot s) {
        return s.table().virtualHosts().stream().map(VirtualHost::host).filter(h -> !h.equals("*")).collect(Collectors.toSet());
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static IngressState ingress(String host) {
        return new IngressState("signalbox", Map.of(), Instant.EPOCH, null, List.of(),
                List.of(new IngressState.Rule(host, List.of(new IngressState.PathRule("/", "Prefix",
                        new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null))))));
    }

    private static void publish(KafkaProducer<String, byte[]> events, Kind kind, String ns, String name, ObjectState state) {
        ObjectKey key = new ObjectKey("c1", kind, ns, name);
        ClusterEvent e = ClusterEvent.upsert(key, "uid-" + name, "1", Instant.parse("2026-01-01T00:00:00Z"), 1, state);
        events.send(new ProducerRecord<>(Topics.EVENTS, key.recordKey(), ClusterEventCodec.encode(e)));
    }

    private static void delete(KafkaProducer<String, byte[]> events, Kind kind, String ns, String name) {
        ObjectKey key = new ObjectKey("c1", kind, ns, name);
        ClusterEvent e = ClusterEvent.delete(key, "uid-" + name, "2", Instant.parse("2026-01-01T00:00:01Z"), 1);
        events.send(new ProducerRecord<>(Topics.EVENTS, key.recordKey(), ClusterEventCodec.encode(e)));
    }
}
