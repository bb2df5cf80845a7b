package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.e2e.MockApps;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.kafka.TopicDump;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Issue 21's chaos case with real processes: a `bin/ingress watcher` leader of a cluster with many objects
 * (by default 1,000 apps: 3,001 objects in the mock API server) is SIGKILLed while the transaction of its
 * initial list is open, then a second watcher starts and becomes the next leader. No published version may
 * hold part of that cluster's objects: each holds none of them or all of them (every app's host routed to
 * its Service with its endpoint).
 *
 * <p>The kill is aimed, not timed: in a tight loop the test asks the broker for the events partitions' high
 * watermarks (read_uncommitted) and the transaction coordinator ({@code Admin.describeTransactions}) for
 * the watchers' transactional id, and kills the process once a third of the list is in the raw log and the
 * state is {@code Ongoing}. Once the process is dead it asks again: the state must still be {@code Ongoing}
 * (a dead producer cannot commit any more, so the kill came before the commit). {@code -Dsignalbox.chaos.apps=N}
 * sizes the cluster.
 */
@EnableKubernetesMockClient(crud = true)
class WatcherKilledMidListIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String NS = "midlist";
    private static final String CLUSTER = "midlist";
    private static final String TX_ID = "signalbox-watcher-" + CLUSTER;
    private static final int LEASE_MS = 2000;
    private static final int APPS = Integer.getInteger("signalbox.chaos.apps", 1000);
    static KubernetesClient client;

    @Test
    void aWatcherKilledInTheMiddleOfItsInitialListLeavesNoVersionWithPartOfIt() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "chaos-logs"));
        Path kubeconfig = dir.resolve("kubeconfig-midlist");
        Files.writeString(kubeconfig, new Manifests(NS).kubeconfig(client.getConfiguration().getMasterUrl()));
        createObjects();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            try (Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Process first = startWatcher(bootstrap, kubeconfig, "w1", dir);
                long ongoingAt;
                TransactionState afterDeath;
                try {
                    // A third of the list in the raw log and the transaction still open: the middle of the list.
                    Await.until("the first watcher's initial-list transaction open, a third of it written", WAIT,
                            () -> !first.isAlive() || rawRecords(admin) >= objects() / 3
                                    && state(admin).orElse(null) == TransactionState.ONGOING);
                    ongoingAt = System.nanoTime();
                    first.destroyForcibly();
                } finally {
                    first.destroyForcibly().waitFor();
                }
                long killMs = (System.nanoTime() - ongoingAt) / 1_000_000;
                afterDeath = state(admin).orElse(null);
                int raw = TopicDump.readAll(bootstrap, Topics.EVENTS).size();
                int committedRecords = TopicDump.readCommitted(bootstrap, Topics.EVENTS).size();
                System.out.printf("FIGURES mid-list kill: %d objects; killed %d ms after the transaction was seen open;"
                        + " state once dead %s; %d records of the list in the raw log, %d committed%n",
                        objects(), killMs, afterDeath, raw, committedRecords);
                assertEquals(TransactionState.ONGOING, afterDeath,
                        "the watcher was killed while its initial-list transaction was open (not after its commit)");

                long killedAt = System.nanoTime();
                Process second = startWatcher(bootstrap, kubeconfig, "w2", dir);
                List<RoutingSnapshot> versions;
                try {
                    Await.until("the next leader w2", WAIT, () -> "w2".equals(leader()));
                    Await.until("a version with all of the cluster's objects", WAIT, () -> "whole".equals(shape(latest(bootstrap))));
                    versions = allVersions(bootstrap);
                } finally {
                    second.destroyForcibly().waitFor();
                }
                long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;

                List<String> partial = new ArrayList<>();
                for (RoutingSnapshot s : versions) {
                    if (!shape(s).equals("none") && !shape(s).equals("whole")) {
                        partial.add("version " + s.version() + ": " + shape(s));
                    }
                }
                List<EventLogRecord> log = committed(bootstrap);
                long markers = log.stream().filter(r -> r instanceof SyncMarker).count();
                long events = log.stream().filter(r -> r instanceof ClusterEvent).count();
                RoutingSnapshot last = versions.get(versions.size() - 1);
                System.out.printf("FIGURES mid-list kill: next leader's list in a version %d ms after the kill; %d versions"
                        + " (%s); %d partial; committed log %d events, %d sync markers%n", recoveredMs,
                        versions.size(), versions.stream().map(WatcherKilledMidListIT::shape).toList(), partial.size(),
                        events, markers);
                ChaosReport.row("watcher SIGKILLed mid initial list (" + objects() + " objects, transaction open)",
                        "kill -> next leader's whole list in a version " + ChaosReport.seconds(List.of(recoveredMs)),
                        partial.size() + " partial versions", markers + " sync markers (1 expected)", "n/a (no HTTP load)");
                assertEquals(List.of(), partial, "versions holding part of the cluster's objects");
                assertEquals(0, committedRecords, "nothing of the killed watcher's list was committed");
                assertEquals("whole", shape(last), "the next leader's list is whole");
                assertEquals(1, markers, "only the next leader's list is committed, with its sync marker");
                assertEquals(objects(), events, "the committed log holds each object once: the next leader's list");
                assertTrue(raw >= objects() / 3, "a third of the killed list had reached the topic before the kill");
            }
        }
    }

    private static int objects() {
        return 3 * APPS + 1;
    }

    /**
     * The IngressClass and APPS apps (Service, EndpointSlice, Ingress), created through the API on 4 threads;
     * create-or-update, since on a loaded machine the client may time out and send a create again.
     */
    private static void createObjects() throws Exception {
        client.resource(new IngressClassBuilder().withNewMetadata().withName("signalbox").endMetadata()
                .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build()).createOr(NonDeletingOperation::update);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < APPS; i++) {
                String name = "app" + i;
                done.add(pool.submit(() -> MockApps.app(client, NS, name, name + ".midlist.test", 8080)));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The coordinator's state of the watchers' transactional id; empty before any watcher initialised it. */
    private static Optional<TransactionState> state(Admin admin) {
        try {
            TransactionDescription d = admin.describeTransactions(List.of(TX_ID)).description(TX_ID).get(5, TimeUnit.SECONDS);
            return Optional.of(d.state());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Records in the events topic, open and aborted transactions included (the partitions' high watermarks). */
    private static long rawRecords(Admin admin) {
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(5, TimeUnit.SECONDS).values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private static String leader() {
        Lease l = client.leases().inNamespace(NS).withName("signalbox-watcher-" + CLUSTER).get();
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    /**
     * What a version holds of the cluster: "none", "whole" (every app's host, routed to its Service with its
     * endpoint) or what part of it.
     */
    private static String shape(RoutingSnapshot s) {
        if (s == null) {
            return "none";
        }
        long hosts = s.table().virtualHosts().stream().filter(v -> v.host().endsWith(".midlist.test")).count();
        long backends = s.table().backends().stream().filter(b -> b.cluster().equals(CLUSTER)).count();
        long withEndpoints = s.table().backends().stream().filter(b -> b.cluster().equals(CLUSTER) && !b.endpoints().isEmpty())
                .count();
        if (hosts == 0 && backends == 0) {
            return "none";
        }
        if (hosts == APPS && backends == APPS && withEndpoints == APPS) {
            return "whole";
        }
        return hosts + " hosts, " + backends + " backends, " + withEndpoints + " with endpoints";
    }

    private static RoutingSnapshot latest(String bootstrap) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "midlist-it")) {
            return log.latest(Duration.ofSeconds(10)).orElse(null);
        }
    }

    /** Every version in the snapshots topic, oldest first. */
    private static List<RoutingSnapshot> allVersions(String bootstrap) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "midlist-it")) {
            Duration t = Duration.ofSeconds(30);
            return log.read(log.beginningOffset(t), log.endOffset(t), Integer.MAX_VALUE, t).stream()
                    .map(SnapshotLog.Entry::snapshot).toList();
        }
    }

    private static List<EventLogRecord> committed(String bootstrap) {
        List<EventLogRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicDump.readCommitted(bootstrap, Topics.EVENTS)) {
            out.add(EventLogCodec.decode(CLUSTER, r.value(), () -> { }).orElseThrow());
        }
        return out;
    }

    private static Process startWatcher(String bootstrap, Path kubeconfig, String id, Path logs) throws IOException {
        return IngressProcess.start("384m", logs.resolve("watcher-midlist-" + id + ".log"), "watcher", "--kafka", bootstrap,
                "--cluster-id", CLUSTER, "--kubeconfig", kubeconfig.toString(), "--lease-namespace", NS,
                "--namespaces", NS, "--identity", id, "--lease-duration-ms", String.valueOf(LEASE_MS));
    }
}
