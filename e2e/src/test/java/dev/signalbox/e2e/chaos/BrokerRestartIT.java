package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.e2e.Pipeline;
import dev.signalbox.kafka.KafkaCluster;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.kafka.TopicDump;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 3a with real processes: three Kafka nodes (`bin/ingress kafka`, each its own JVM; KRaft, every
 * node a broker and a quorum voter; topics RF=3, min.insync.replicas=2) under the whole pipeline (manifests
 * watcher, compiler, two proxies in this JVM). While Ingress files keep changing and HTTP requests flow
 * through the proxies, the node that coordinates the transactions is SIGKILLed (or, in the second test,
 * stopped cleanly), stays down for {@link #OUTAGE}, and is restarted on its data. Every change must end up in the events log and the last
 * snapshot, every acknowledged event must be in the log, versions stay 1, 2, 3... and no request on an
 * existing route fails. Prints the recovery times: stop -> a change made after the stop served, restart ->
 * the node back in every partition's ISR.
 */
class BrokerRestartIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Longer than the brokers' 9 s session timeout, so the controller fences the dead node meanwhile. */
    private static final Duration OUTAGE = Duration.ofSeconds(15);
    private static final Duration CHANGE_EVERY = Duration.ofMillis(150);
    private static final List<String> TOPICS = List.of(Topics.EVENTS, Topics.SNAPSHOTS, Topics.COMPILER_MODEL,
            "__transaction_state", "__consumer_offsets");

    /** How the broker is stopped. */
    private enum Stop {
        CRASH("SIGKILLed"),
        CLEAN("stopped (SIGTERM: controlled shutdown)");

        final String words;

        Stop(String words) {
            this.words = words;
        }

        /** Sends the signal; does not wait for the process to end. */
        void apply(Process broker) {
            if (this == CRASH) {
                broker.destroyForcibly();
            } else {
                broker.destroy();
            }
        }
    }

    @Test
    void aBrokerKilledAndRestartedUnderLoadLosesNoAcknowledgedEventAndThePipelineContinues(@TempDir Path dir) throws Exception {
        scenario(dir, Stop.CRASH);
    }

    @Test
    void aBrokerStoppedCleanlyAndRestartedUnderLoadLosesNoAcknowledgedEventAndThePipelineContinues(@TempDir Path dir) throws Exception {
        scenario(dir, Stop.CLEAN);
    }

    private void scenario(Path dir, Stop stop) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "chaos-logs"));
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        String nodes = KafkaCluster.freePorts(3);
        KafkaCluster cluster = KafkaCluster.parse(nodes);
        String bootstrap = cluster.bootstrapServers();
        Map<Integer, Process> brokers = new HashMap<>();
        try {
            for (KafkaCluster.Node n : cluster.nodes()) {
                brokers.put(n.id(), startBroker(nodes, n.id(), dir, logs));
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Await.until("three brokers registered", WAIT, () -> brokerCount(admin) == 3);
                TopicAdmin.ensureTopics(bootstrap, 3, (short) 3);
                assertReplicated(admin);
                run(admin, nodes, brokers, new Paths(manifests, staging, dir, logs), stop);
            }
        } finally {
            for (Process p : brokers.values()) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** Where the scenario writes: the watched manifests, their staging area, broker data, process logs. */
    private record Paths(Path manifests, Path staging, Path dir, Path logs) {
    }

    private void run(Admin admin, String nodes, Map<Integer, Process> brokers, Paths paths, Stop stop) throws Exception {
        Path manifests = paths.manifests();
        String bootstrap = KafkaCluster.parse(nodes).bootstrapServers();
        try (EchoBackend backend = EchoBackend.start("steady")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("svc", backend.port()));
            Files.writeString(manifests.resolve("steady.yaml"), MANIFESTS.ingress("steady", "steady.local", "/", "svc"));
            try (Pipeline pipeline = Pipeline.start(bootstrap, "chaos", manifests, 2)) {
                List<ProxyNode> proxies = pipeline.proxies();
                pipeline.awaitServed("steady.local", WAIT);
                Changes changes = new Changes(manifests, paths.staging());
                Load load = new Load(proxies);
                changes.start();
                load.start();
                long recoveryMs;
                long registeredMs;
                long isrMs;
                int victim;
                String led;
                try {
                    Await.until("a few changes before the fault", WAIT, () -> changes.count() >= 20);
                    // The node leading __transaction_state-0 coordinates every transaction here (watcher, compiler).
                    victim = leader(admin, "__transaction_state", 0);
                    led = ledBy(admin, victim);
                    long stoppedAt = System.nanoTime();
                    stop.apply(brokers.get(victim));
                    changes.write("after-stop", "after-stop.chaos");
                    Await.until("a change made after the stop served by both proxies", WAIT,
                            () -> proxies.stream().allMatch(p -> Pipeline.served(p, "after-stop.chaos")));
                    recoveryMs = (System.nanoTime() - stoppedAt) / 1_000_000;
                    assertTrue(brokers.get(victim).waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the stopped broker's process ends");
                    Await.until("the outage lasts " + OUTAGE, OUTAGE.plus(WAIT), () -> System.nanoTime() - stoppedAt >= OUTAGE.toNanos());
                    // Only live (unfenced) brokers are listed: the restart is then measured from a known state.
                    Await.until("node " + victim + " fenced by the controller", WAIT, () -> brokerCount(admin) == 2);

                    brokers.put(victim, startBroker(nodes, victim, paths.dir(), paths.logs()));
                    long restartedAt = System.nanoTime();
                    Await.until("node " + victim + " registered again", WAIT, () -> brokerCount(admin) == 3);
                    registeredMs = (System.nanoTime() - restartedAt) / 1_000_000;
                    Await.until("node " + victim + " back in every partition's ISR", WAIT, () -> inEveryIsr(admin, victim));
                    isrMs = (System.nanoTime() - restartedAt) / 1_000_000;
                    int atRejoin = changes.count();
                    Await.until("changes after the rejoin", WAIT, () -> changes.count() >= atRejoin + 20);
                } finally {
                    changes.stop();
                    load.stop();
                }
                Map<String, String> expected = changes.expectedHosts();
                Set<String> superseded = changes.supersededHosts();
                SnapshotLog reader = SnapshotLog.connect(bootstrap, "chaos-reader");
                try (reader) {
                    Await.until("the last snapshot reflects every change", WAIT, () -> reader.latest(WAIT)
                            .map(s -> hosts(s).containsAll(expected.values())).orElse(false));
                    // Every snapshot committed so far: the changes have stopped and the last snapshot reflects them all.
                    List<RoutingSnapshot> all = reader.read(reader.beginningOffset(WAIT), reader.endOffset(WAIT),
                            Integer.MAX_VALUE, WAIT).stream().map(SnapshotLog.Entry::snapshot).toList();
                    for (int i = 0; i < all.size(); i++) {
                        assertEquals(i + 1, all.get(i).version(), "versions are 1, 2, 3... with no gap or duplicate");
                        assertEquals(i, all.get(i).previousVersion());
                    }
                    Set<String> last = hosts(all.get(all.size() - 1));
                    assertTrue(last.containsAll(expected.values()), "the last snapshot has every Ingress's final host");
                    assertTrue(superseded.stream().noneMatch(last::contains), "no superseded host is still routed");

                    LogFigures f = LogFigures.of(TopicDump.readCommitted(bootstrap, Topics.EVENTS), expected);
                    long acknowledged = pipeline.watcher().publishedEvents();
                    long ackLost = Math.max(0, acknowledged - f.records());
                    System.out.printf("3 brokers (RF=3, min ISR 2), node %d (transaction coordinator; led %s) %s for %d s "
                                    + "under load: %d Ingress changes, %d events acknowledged, %d in the log, %d final states missing, "
                                    + "%d duplicate events; %d snapshot versions, no gap; %d requests, %d failed; stop -> change made "
                                    + "after the stop served by both proxies %d ms; restart -> registered %d ms, back in every ISR %d ms%n",
                            victim, led, stop.words, OUTAGE.toSeconds(), changes.changes(), acknowledged, f.records(), f.missing(),
                            f.duplicates(), all.size(), load.sent(), load.failed(), recoveryMs, registeredMs, isrMs);
                    ChaosReport.row("broker (txn coordinator) " + stop.words + " " + OUTAGE.toSeconds() + " s, restarted; 3 brokers, RF=3, min ISR 2",
                            String.format("stop -> next change served %.1f s; restart -> registered %.1f s, in every ISR %.1f s",
                                    recoveryMs / 1000.0, registeredMs / 1000.0, isrMs / 1000.0),
                            String.format("%d of %d acknowledged events; %d of %d changes", ackLost, acknowledged, f.missing(), changes.changes()),
                            String.valueOf(f.duplicates()),
                            load.failed() + " of " + load.sent() + " requests");
                    assertEquals(0, f.missing(), "every Ingress's final state is the last one in the events log");
                    assertEquals(0, ackLost, "every acknowledged event is in the log");
                    assertEquals(0, load.failed(), "no request on an existing route fails");
                }
            }
        }
    }

    /** The Ingress-change stream: a new Ingress every {@link #CHANGE_EVERY}, and every third step an update of an older one. */
    private static final class Changes {
        private final Path manifests;
        private final Path staging;
        private final Map<String, String> hosts = new ConcurrentHashMap<>();
        private final Set<String> superseded = ConcurrentHashMap.newKeySet();
        private final AtomicInteger changes = new AtomicInteger();
        private final AtomicInteger steps = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this::run, "chaos-changes");

        Changes(Path manifests, Path staging) {
            this.manifests = manifests;
            this.staging = staging;
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (running.get()) {
                int k = steps.getAndIncrement();
                write("ing-" + k, "ing-" + k + ".chaos");
                if (k % 3 == 2 && k >= 5) {
                    write("ing-" + (k - 5), "ing-" + (k - 5) + "-v2.chaos");
                }
                LockSupport.parkNanos(CHANGE_EVERY.toNanos());
            }
        }

        /** Writes one Ingress file atomically (a half-written file is never seen). Any thread. */
        synchronized void write(String name, String host) {
            try {
                Path tmp = staging.resolve(name + ".yaml");
                Files.writeString(tmp, MANIFESTS.ingress(name, host, "/", "svc"));
                Files.move(tmp, manifests.resolve(name + ".yaml"), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String before = hosts.put(name, host);
            if (before != null) {
                superseded.add(before);
            }
            changes.incrementAndGet();
        }

        int count() {
            return steps.get();
        }

        int changes() {
            return changes.get();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        Map<String, String> expectedHosts() {
            return new TreeMap<>(hosts);
        }

        Set<String> supersededHosts() {
            return Set.copyOf(superseded);
        }
    }

    /** Requests on the route that exists throughout, about 100 per second per proxy. */
    private static final class Load {
        private final List<ProxyNode> proxies;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final Thread thread = new Thread(this::run, "chaos-load");

        Load(List<ProxyNode> proxies) {
            this.proxies = proxies;
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (running.get()) {
                for (ProxyNode p : proxies) {
                    HttpResponse<String> r = Http.tryGet(p.httpPort(), "steady.local", "/");
                    sent.incrementAndGet();
                    if (r == null || r.statusCode() != 200) {
                        failed.incrementAndGet();
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        long sent() {
            return sent.get();
        }

        long failed() {
            return failed.get();
        }
    }

    /**
     * What the events log says about the changes.
     *
     * @param records    Ingress events committed
     * @param missing    Ingresses whose last event is not their final state
     * @param duplicates events committed more than once (same object, same resourceVersion)
     */
    private record LogFigures(long records, int missing, long duplicates) {
        static LogFigures of(List<ConsumerRecord<byte[], byte[]>> log, Map<String, String> expected) {
            Map<String, String> lastHost = new HashMap<>();
            Map<String, Integer> seen = new HashMap<>();
            long records = 0;
            for (ConsumerRecord<byte[], byte[]> r : log) {
                // Every record decodes; sync markers (issue 21) are not object events.
                if (!(EventLogCodec.decode("chaos", r.value(), () -> { }).orElseThrow() instanceof ClusterEvent e)) {
                    continue;
                }
                records++;
                seen.merge(e.key().recordKey() + "@" + e.resourceVersion(), 1, Integer::sum);
                if (e.kind() == Kind.INGRESS && e.state() instanceof IngressState s && !s.rules().isEmpty()) {
                    lastHost.put(e.name(), s.rules().get(0).host());
                }
            }
            int missing = (int) expected.entrySet().stream().filter(x -> !x.getValue().equals(lastHost.get(x.getKey()))).count();
            long duplicates = seen.values().stream().mapToLong(n -> n - 1).sum();
            return new LogFigures(records, missing, duplicates);
        }
    }

    private static Process startBroker(String nodes, int id, Path dir, Path logs) throws IOException {
        return IngressProcess.startAppending("384m", logs.resolve("broker-restart-kafka-" + id + ".log"), "kafka",
                "--data-dir", dir.resolve("kafka-" + id).toString(), "--nodes", nodes, "--node-id", String.valueOf(id));
    }

    private static int brokerCount(Admin admin) {
        try {
            return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
        } catch (Exception e) {
            return 0;
        }
    }

    private static void assertReplicated(Admin admin) {
        // Topic metadata reaches each broker asynchronously after createTopics returns: ask until one answers.
        List<String> names = List.of(Topics.EVENTS, Topics.SNAPSHOTS, Topics.COMPILER_MODEL);
        Map<String, TopicDescription> topics = Await.value("the topics described", WAIT,
                () -> orNull(() -> admin.describeTopics(names).allTopicNames().get()), Objects::nonNull);
        for (TopicDescription d : topics.values()) {
            assertTrue(d.partitions().stream().allMatch(p -> p.replicas().size() == 3), d.name() + " has 3 replicas");
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, d.name());
            Config c = Await.value(d.name() + "'s configuration described", WAIT,
                    () -> orNull(() -> admin.describeConfigs(List.of(r)).all().get().get(r)), Objects::nonNull);
            assertEquals("2", c.get("min.insync.replicas").value(), d.name() + " min.insync.replicas");
        }
    }

    private static <T> T orNull(Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return null;
        }
    }

    private static int leader(Admin admin, String topic, int partition) {
        return Await.value(topic + "-" + partition + "'s leader", WAIT, () -> orNull(() -> admin.describeTopics(List.of(topic))
                .allTopicNames().get().get(topic).partitions().get(partition).leader().id()), Objects::nonNull);
    }

    /** The partitions {@code node} leads, e.g. "__transaction_state-0, signalbox.events-1". */
    private static String ledBy(Admin admin, int node) {
        List<String> led = new ArrayList<>();
        Map<String, TopicDescription> topics = Await.value("the topics described", WAIT,
                () -> orNull(() -> admin.describeTopics(TOPICS).allTopicNames().get()), Objects::nonNull);
        for (TopicDescription d : topics.values()) {
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() != null && p.leader().id() == node) {
                    led.add(d.name() + "-" + p.partition());
                }
            }
        }
        return led.stream().sorted().collect(Collectors.joining(", "));
    }

    private static boolean inEveryIsr(Admin admin, int node) {
        try {
            return admin.describeTopics(TOPICS).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                    .flatMap(d -> d.partitions().stream())
                    .allMatch(p -> p.isr().stream().anyMatch(n -> n.id() == node));
        } catch (Exception e) {
            return false;
        }
    }

    private static Set<String> hosts(RoutingSnapshot s) {
        return s.table().virtualHosts().stream().map(v -> v.host()).collect(Collectors.toSet());
    }

}
