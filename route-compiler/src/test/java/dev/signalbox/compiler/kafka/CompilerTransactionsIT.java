package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.event.TransactionMark;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.SourceTransaction;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 at the compiler, against a real broker with three events partitions: changes written the way a
 * watcher writes them (each a transaction of a Service, its EndpointSlice and an Ingress, spread over the
 * partitions by key, every record marked) are never half in a version; nothing is published before the
 * cluster's sync marker; every version names the transactions it contains and replays to its hash; a
 * cluster that writes without ever syncing gets a diagnostic after the sync timeout and holds nobody back.
 */
class CompilerTransactionsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final int CHANGES = 60;

    @Test
    void versionsHoldWholeTransactionsOnlyAndNothingBeforeTheSyncMarker() {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            CompilerConfig config = CompilerConfig.defaults(bootstrap).withSyncTimeout(Duration.ofSeconds(2));
            try (Compiler compiler = Compiler.start(config);
                 KafkaProducer<String, byte[]> east = producer(bootstrap, "signalbox-watcher-east");
                 KafkaProducer<String, byte[]> west = producer(bootstrap, "signalbox-watcher-west")) {
                // The initial list: the class and 10 hosts, then the marker, in one transaction.
                List<EventLogRecord> initial = new ArrayList<>();
                initial.add(event("east", Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", true)));
                for (int i = 0; i < 10; i++) {
                    initial.addAll(app("east", "init" + i));
                }
                initial.add(SyncMarker.of("east", 1, T, initial.size()));
                send(east, "s1", 1, initial);
                for (int i = 0; i < CHANGES; i++) {
                    send(east, "s1", i + 2, app("east", "app" + i));
                }
                // A cluster whose watcher writes in transactions but never syncs: held for 2 s, then diagnosed.
                send(west, "s2", 1, List.of(event("west", Kind.INGRESS_CLASS, "", "signalbox",
                        new IngressClassState("signalbox.dev/ingress-controller", true))));

                List<RoutingSnapshot> all = Await.value("every change and the diagnosed cluster in a version", WAIT,
                        () -> all(bootstrap), l -> !l.isEmpty() && hosts(l.get(l.size() - 1)) == 10 + CHANGES
                                && l.get(l.size() - 1).table().diagnostics().stream().anyMatch(d -> d.kind().equals("Cluster")));
                Set<String> initialHosts = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    initialHosts.add("init" + i + ".test");
                }
                Set<String> firstHosts = new HashSet<>();
                all.get(0).table().virtualHosts().forEach(v -> firstHosts.add(v.host()));
                assertTrue(firstHosts.containsAll(initialHosts), "the first version holds the whole initial list: " + firstHosts);
                assertEquals(1, all.get(0).transactions().get(0).sequence(), "and the initial list is its first transaction");
                Set<Long> seen = new HashSet<>();
                for (RoutingSnapshot s : all) {
                    for (Backend b : s.table().backends()) {
                        assertEquals(1, b.endpoints().size(), "version " + s.version() + ": " + b.id()
                                + " routed without its EndpointSlice: half a transaction");
                    }
                    for (SourceTransaction t : s.transactions()) {
                        assertTrue(t.producer().equals("signalbox-watcher-west") || seen.add(t.sequence()),
                                "transaction " + t.sequence() + " named by two versions");
                    }
                    assertEquals(s.contentHash(), SnapshotCodec.contentHash(Replay.tableAt(bootstrap, s.provenance())),
                            "version " + s.version() + " replays to its hash");
                }
                assertEquals(CHANGES + 1, seen.size(), "every transaction of east is named by exactly one version");
                assertEquals(List.of("west Cluster /west WARNING"), all.get(all.size() - 1).table().diagnostics().stream()
                        .filter(d -> d.kind().equals(dev.signalbox.schemas.snapshot.Diagnostic.CLUSTER_KIND))
                        .map(d -> d.cluster() + " " + d.kind() + " " + d.namespace() + "/" + d.name() + " " + d.severity()).toList(),
                        "only the cluster that never synced is diagnosed, as a cluster (no namespace, named by its id)");
                assertTrue(all.size() <= CHANGES + 2, all.size() + " versions for " + (CHANGES + 2) + " transactions");
            }
        }
    }

    /**
     * Issue 15: a warm standby takes over (hand-over) with changes in flight: the versions go on 1, 2, 3..., every
     * transaction is named by exactly one version, and the checkpoint the new active one commits is whole: a compiler
     * restarted from it afterwards (checkpoint plus committed offsets, no fold) publishes the same hosts.
     */
    @Test
    void aWarmStandbyTakesOverWithEveryTransactionNamedOnceAndAWholeCheckpoint() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            CompilerConfig config = CompilerConfig.defaults(bootstrap);
            try (KafkaProducer<String, byte[]> east = producer(bootstrap, "signalbox-watcher-east")) {
                List<EventLogRecord> initial = new ArrayList<>();
                initial.add(event("east", Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", true)));
                initial.addAll(app("east", "init0"));
                initial.add(SyncMarker.of("east", 1, T, initial.size()));
                long sequence = 1;
                send(east, "s1", sequence++, initial);
                Compiler first = Compiler.start(config);
                Compiler standby = null;
                try {
                    Await.until("the first compiler publishes", WAIT, () -> first.publishedVersion() > 0);
                    standby = Compiler.start(config);
                    Compiler warm = standby;
                    Await.until("the second compiler stands by, warm", WAIT, warm::isWarmStandby);
                    for (int i = 0; i < 20; i++) {
                        send(east, "s1", sequence++, app("east", "before" + i));
                    }
                    Await.until("the active compiler published them", WAIT, () -> hosts(all(bootstrap)) == 21);
                    for (int i = 0; i < 10; i++) {
                        send(east, "s1", sequence++, app("east", "during" + i));
                    }
                    first.close();
                    Await.until("the standby took over and published every change", WAIT, () -> hosts(all(bootstrap)) == 31);
                    assertTrue(warm.isActive(), "the standby is the active compiler");
                } finally {
                    first.close();
                    if (standby != null) {
                        standby.close();
                    }
                }
                // Only the checkpoint and the group's offsets the taken-over compiler committed restore this one's model.
                try (Compiler restarted = Compiler.start(config)) {
                    send(east, "s1", sequence++, app("east", "after"));
                    Await.until("the restarted compiler publishes the next change", WAIT, () -> hosts(all(bootstrap)) == 32);
                }
                List<RoutingSnapshot> all = all(bootstrap);
                Set<Long> seen = new HashSet<>();
                for (int i = 0; i < all.size(); i++) {
                    RoutingSnapshot s = all.get(i);
                    assertEquals(i + 1, s.version(), "versions are 1, 2, 3... with no gap or duplicate");
                    for (SourceTransaction t : s.transactions()) {
                        assertTrue(seen.add(t.sequence()), "transaction " + t.sequence() + " named by two versions");
                    }
                    assertEquals(s.contentHash(), SnapshotCodec.contentHash(Replay.tableAt(bootstrap, s.provenance())),
                            "version " + s.version() + " replays to its hash");
                }
                assertEquals(sequence - 1, seen.size(), "every transaction is named by exactly one version");
            }
        }
    }

    private static int hosts(List<RoutingSnapshot> all) {
        return all.isEmpty() ? 0 : hosts(all.get(all.size() - 1));
    }

    private static int hosts(RoutingSnapshot s) {
        return s.table().virtualHosts().size();
    }

    /** A Service, its EndpointSlice and an Ingress routing name.test to it. */
    private static List<EventLogRecord> app(String cluster, String name) {
        return List.of(
                event(cluster, Kind.SERVICE, "ns", name, new ServiceState("ClusterIP", null,
                        List.of(new ServiceState.Port("http", 80, "8080", "TCP")))),
                event(cluster, Kind.ENDPOINT_SLICE, "ns", name + "-1", new EndpointSliceState(name, "IPv4",
                        List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                        List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.1"), true, true, false)))),
                event(cluster, Kind.INGRESS, "ns", name, new IngressState("signalbox", Map.of(), Instant.EPOCH, null, List.of(),
                        List.of(new IngressState.Rule(name + ".test", List.of(new IngressState.PathRule("/", "Prefix",
                                new IngressState.BackendRef(new IngressState.ServiceRef(name, 80, null), null))))))));
    }

    private static ClusterEvent event(String cluster, Kind kind, String ns, String name, dev.signalbox.schemas.event.ObjectState state) {
        return ClusterEvent.upsert(new ObjectKey(cluster, kind, ns, name), "uid-" + name, "1", T, 1, state);
    }

    /** One transaction, every record marked with it, as the watcher's publisher writes them. */
    private static void send(KafkaProducer<String, byte[]> p, String session, long sequence, List<EventLogRecord> records) {
        String producer = session.equals("s1") ? "signalbox-watcher-east" : "signalbox-watcher-west";
        TransactionMark mark = new TransactionMark(producer, session, 1, sequence, records.size());
        p.beginTransaction();
        for (EventLogRecord r : records) {
            EventLogRecord marked = r instanceof ClusterEvent e ? e.withTransaction(mark) : ((SyncMarker) r).withTransaction(mark);
            p.send(new ProducerRecord<>(Topics.EVENTS, r.recordKey(), EventLogCodec.encode(marked)));
        }
        p.commitTransaction();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static List<RoutingSnapshot> all(String bootstrap) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "compiler-transactions-it")) {
            RoutingSnapshot last = log.latest(WAIT).orElse(null);
            if (last == null) {
                return List.of();
            }
            log.seekToBeginning();
            List<RoutingSnapshot> all = new ArrayList<>();
            while (all.isEmpty() || all.get(all.size() - 1).version() < last.version()) {
                all.addAll(log.poll(Duration.ofMillis(500)));
            }
            return all;
        }
    }
}
