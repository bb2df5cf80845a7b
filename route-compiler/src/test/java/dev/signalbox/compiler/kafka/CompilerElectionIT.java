package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
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
 * Three compilers on one broker: exactly one is active at a time, a stopped active one is replaced at once
 * (hand-over), a fenced one goes back to standby and competes again, and the versions they publish together
 * are 1, 2, 3... each replaying to the same table.
 */
class CompilerElectionIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void threeCompilersTakeTurnsWithOneActiveAndContiguousVersions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<String, byte[]> events = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
                 SnapshotLog snapshots = SnapshotLog.connect(kafka.bootstrapServers(), "election-it")) {
                Fixture f = new Fixture(events, snapshots);
                f.base();
                CompilerConfig config = CompilerConfig.defaults(kafka.bootstrapServers());
                List<Compiler> compilers = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        compilers.add(Compiler.start(config));
                    }
                    f.ingress(0);
                    Compiler first = Await.value("one compiler is active", WAIT, () -> active(compilers), a -> a != null);
                    for (int i = 1; i < 10; i++) {
                        f.ingress(i);
                        assertEquals(1, compilers.stream().filter(Compiler::isActive).count(), "exactly one compiler is active");
                    }
                    f.awaitHost(9);
                    assertEquals(1, compilers.stream().filter(c -> c.publishedVersion() > 0).count(), "only the active one published");
                    // /readyz: the active one publishes; a standby is ready once its model follows the log (warm).
                    Await.until("every compiler ready", WAIT, () -> compilers.stream().allMatch(c -> c.health().ready()));
                    assertEquals(List.of("active", "standby", "standby"),
                            compilers.stream().map(c -> c.health().status()).sorted().toList());
                    assertEquals(List.of(0.0, 0.0, 1.0), compilers.stream().map(c -> metric(c, "signalbox_compiler_active"))
                            .sorted().toList(), "signalbox_compiler_active: one 1, two 0");
                    assertEquals((double) first.publishedVersion(), metric(first, "signalbox_compiler_snapshot_version"));

                    // Hand-over: closing the active one releases the lease and a standby takes over at once.
                    long t0 = System.nanoTime();
                    first.close();
                    compilers.remove(first);
                    f.ingress(10);
                    f.awaitHost(10);
                    System.out.printf("hand-over (close of the active compiler) to the next version published: %d ms%n",
                            (System.nanoTime() - t0) / 1_000_000);
                    Compiler second = active(compilers);

                    // A foreign producer with the compilers' transactional id fences the active one: it goes back to
                    // standby, and a compiler (any) is active again and serves the next change.
                    try (KafkaProducer<String, byte[]> intruder = intruder(kafka.bootstrapServers(), config.transactionalId())) {
                        intruder.initTransactions();
                    }
                    long termBefore = second.activeTerm();
                    // The active one learns it was fenced when it next publishes; then a new term is won.
                    for (int i = 11; i < 40 && maxTerm(compilers) == termBefore; i++) {
                        f.ingress(i);
                        Await.until("a change is published or the active compiler is fenced", WAIT,
                                () -> maxTerm(compilers) != termBefore || second.publishedVersion() == f.latest().version()
                                        && f.latest().table().virtualHosts().size() > 0);
                    }
                    Await.until("a compiler is active for a later term", WAIT, () -> maxTerm(compilers) > termBefore);
                    // The fenced one counted its abandoned term (its open transaction is the next fence's to abort).
                    Await.until("the fenced compiler counts the abort", WAIT,
                            () -> metric(second, "signalbox_compiler_transaction_aborts_total", "reason", "fenced") >= 1);
                    f.ingress(50);
                    f.awaitHost(50);
                    assertTrue(compilers.stream().allMatch(Compiler::isRunning), "no compiler stopped for good");
                    assertEquals(1, compilers.stream().filter(Compiler::isActive).count(), "exactly one compiler is active");
                } finally {
                    compilers.forEach(Compiler::close);
                }

                List<RoutingSnapshot> all = f.all();
                for (int i = 0; i < all.size(); i++) {
                    assertEquals(i + 1, all.get(i).version(), "versions are 1, 2, 3... with no gap or duplicate");
                    assertEquals(all.get(i).table(), Replay.tableAt(kafka.bootstrapServers(), all.get(i).provenance()),
                            "version " + all.get(i).version() + " replays to the same table");
                    assertEquals(all.get(i).contentHash(), SnapshotCodec.contentHash(all.get(i).table()));
                }
            }
        }
    }

    /** A series of {@code c}'s /metrics, as Prometheus parses it (NaN when absent). */
    private static double metric(Compiler c, String name, String... labels) {
        return dev.signalbox.testing.PrometheusText.parse(dev.signalbox.observability.Exposition.text(c.metrics().registry()))
                .value(name, labels);
    }

    private static Compiler active(List<Compiler> compilers) {
        return compilers.stream().filter(Compiler::isActive).findFirst().orElse(null);
    }

    private static long maxTerm(List<Compiler> compilers) {
        return compilers.stream().mapToLong(Compiler::activeTerm).max().orElse(0);
    }

    private static KafkaProducer<String, byte[]> intruder(String bootstrap, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** The events written and the snapshots read. */
    private record Fixture(KafkaProducer<String, byte[]> events, SnapshotLog snapshots) {
        void base() {
            publish(Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", false));
            publish(Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null, List.of(new ServiceState.Port("http", 80, "8080", "TCP"))));
            publish(Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                    List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                    List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.1"), true, true, false))));
        }

        void publish(Kind kind, String ns, String name, ObjectState state) {
            ObjectKey key = new ObjectKey("c1", kind, ns, name);
            ClusterEvent e = ClusterEvent.upsert(key, "uid-" + name, "1", Instant.parse("2026-01-01T00:00:00Z"), 1, state);
            events.send(new ProducerRecord<>(Topics.EVENTS, key.recordKey(), ClusterEventCodec.encode(e)));
            events.flush();
        }

        void ingress(int i) {
            publish(Kind.INGRESS, "ns", "ing-" + i, new IngressState("signalbox", Map.of(), Instant.EPOCH, null, List.of(),
                    List.of(new IngressState.Rule(host(i), List.of(new IngressState.PathRule("/", "Prefix",
                            new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null)))))));
        }

        static String host(int i) {
            return "host-" + i + ".example.com";
        }

        RoutingSnapshot latest() {
            return snapshots.latest(WAIT).orElse(null);
        }

        void awaitHost(int i) {
            Await.value("a snapshot routing " + host(i), WAIT, this::latest,
                    s -> s != null && s.table().virtualHosts().stream().anyMatch(v -> v.host().equals(host(i))));
        }

        List<RoutingSnapshot> all() {
            RoutingSnapshot last = latest();
            snapshots.seekToBeginning();
            List<RoutingSnapshot> all = new ArrayList<>();
            while (all.isEmpty() || all.get(all.size() - 1).version() < last.version()) {
                all.addAll(snapshots.poll(Duration.ofMillis(500)));
            }
            return all;
        }
    }
}
