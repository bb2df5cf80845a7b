package dev.signalbox.launcher.bench;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.local.TempDirs;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bin/ingress bench-sizing --ingresses N}: how many bytes the topics take per snapshot version and per
 * event, measured on a real broker (local mode: the manifests watcher, the compiler, one proxy). Writes N
 * Ingresses (one host, one path each), each with its Service and an EndpointSlice, in files of 100 objects,
 * waits for the table that routes all N, then changes one Ingress's path {@code changes} times, one version
 * each. Sizes are the broker's own (describeLogDirs: the partitions' log segments on disk, record batches,
 * compression and transaction markers included), divided by record counts. Prints the figures and how much
 * history 100 GB holds.
 */
public final class SizingBenchmark {
    private static final Manifests MANIFESTS = new Manifests("sizing");
    private static final int PER_FILE = 100;
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final double GB = 1e9;

    /** {@code ingresses} Ingresses with their Services and slices, then {@code changes} one-Ingress edits. */
    public record Settings(int ingresses, int changes) {
    }

    private SizingBenchmark() {
    }

    public static void run(Settings s, PrintStream out) throws Exception {
        Path root = Files.createTempDirectory("signalbox-sizing");
        Path dir = Files.createDirectories(root.resolve("manifests"));
        try {
            Files.writeString(dir.resolve("class.yaml"), Manifests.ingressClass());
            for (int f = 0; f * PER_FILE < s.ingresses(); f++) {
                List<String> docs = new ArrayList<>();
                for (int i = f * PER_FILE; i < Math.min(s.ingresses(), (f + 1) * PER_FILE); i++) {
                    docs.add(objects(i, "/"));
                }
                Files.writeString(dir.resolve("apps-" + f + ".yaml"), Manifests.documents(docs));
            }
            LocalConfig config = new LocalConfig(dir, "127.0.0.1", new LocalConfig.Ports(0, 0, 0), 1, root.resolve("data"),
                    0, "sizing", false);
            try (LocalMode local = LocalMode.start(config);
                 SnapshotLog log = SnapshotLog.connect(local.bootstrapServers(), "signalbox-sizing");
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, local.bootstrapServers()))) {
                long t0 = System.nanoTime();
                RoutingSnapshot loaded = await(log, snap -> snap.table().virtualHosts().size() >= s.ingresses());
                out.printf(Locale.ROOT, "%d Ingresses (+ %d Services, %d EndpointSlices) routed in version %d after %d ms%n",
                        s.ingresses(), s.ingresses(), s.ingresses(), loaded.version(), (System.nanoTime() - t0) / 1_000_000);
                out.printf(Locale.ROOT, "one snapshot encoded (before the producer's zstd): %,d bytes%n",
                        dev.signalbox.schemas.codec.SnapshotCodec.encode(loaded).length);
                Sizes before = sizes(admin, local.bootstrapServers());
                long version = loaded.version();
                for (int c = 1; c <= s.changes(); c++) {
                    // Ingress 0's file rewritten with one path changed: one event, one new version of the whole table.
                    List<String> docs = new ArrayList<>();
                    for (int i = 0; i < Math.min(s.ingresses(), PER_FILE); i++) {
                        docs.add(objects(i, i == 0 ? "/v" + c : "/"));
                    }
                    Path next = dir.resolve(".apps-0.yaml.next");
                    Files.writeString(next, Manifests.documents(docs));
                    Files.move(next, dir.resolve("apps-0.yaml"), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    long after = version;
                    version = await(log, snap -> snap.version() > after).version();
                }
                Sizes end = sizes(admin, local.bootstrapServers());
                report(s, before, end, version - loaded.version(), out);
            }
        } finally {
            TempDirs.deleteRecursively(root);
        }
    }

    private static String objects(int i, String path) {
        String name = "app-" + i;
        return Manifests.documents(
                MANIFESTS.service(name, Manifests.ServicePort.HTTP,
                        List.of(new Manifests.Endpoint("IPv4", "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256), 8080))),
                MANIFESTS.ingress(name, name + ".sizing.example.com", path, name));
    }

    private interface Check {
        boolean done(RoutingSnapshot s);
    }

    private static RoutingSnapshot await(SnapshotLog log, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            RoutingSnapshot s = log.latest(WAIT).orElse(null);
            if (s != null && check.done(s)) {
                return s;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no such version within " + WAIT);
    }

    /** Bytes on disk and records of each topic. */
    record Sizes(Map<String, Long> bytes, Map<String, Long> records) {
    }

    private static Sizes sizes(Admin admin, String bootstrap) throws Exception {
        Map<String, Long> bytes = new HashMap<>();
        List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
        for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (LogDirDescription d : dirs.values()) {
                d.replicaInfos().forEach((tp, info) -> bytes.merge(tp.topic(), info.size(), Long::sum));
            }
        }
        Map<String, Long> records = new HashMap<>();
        for (String topic : List.of(Topics.EVENTS, Topics.SNAPSHOTS, Topics.COMPILER_MODEL)) {
            records.put(topic, count(bootstrap, topic));
        }
        return new Sizes(bytes, records);
    }

    /** Committed records of {@code topic} (offsets also count transaction markers, so they are read and counted). */
    private static long count(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // As every reader of these topics: committed records only.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A reader with no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic, WAIT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps, WAIT);
            long n = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("counting " + topic + " took longer than " + WAIT);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    private static void report(Settings s, Sizes before, Sizes end, long versions, PrintStream out) {
        long snapshotBytes = end.bytes().getOrDefault(Topics.SNAPSHOTS, 0L) - before.bytes().getOrDefault(Topics.SNAPSHOTS, 0L);
        double perVersion = (double) snapshotBytes / versions;
        long initialEvents = before.records().get(Topics.EVENTS);
        double perEventLoaded = (double) before.bytes().get(Topics.EVENTS) / initialEvents;
        long changeEvents = end.records().get(Topics.EVENTS) - initialEvents;
        double perEventChange = (double) (end.bytes().get(Topics.EVENTS) - before.bytes().get(Topics.EVENTS))
                / Math.max(1, changeEvents);
        long modelRecords = end.records().get(Topics.COMPILER_MODEL);
        out.printf(Locale.ROOT, "snapshots: %d versions after the load took %,d bytes: %,.0f bytes per version (%.1f per Ingress)%n",
                versions, snapshotBytes, perVersion, perVersion / s.ingresses());
        out.printf(Locale.ROOT, "events: the load, %d records in %,d bytes: %,.0f bytes per event (batched)%n",
                initialEvents, before.bytes().get(Topics.EVENTS), perEventLoaded);
        out.printf(Locale.ROOT, "events: %d one-object changes in %,d bytes: %,.0f bytes per event (one transaction each)%n",
                changeEvents, end.bytes().get(Topics.EVENTS) - before.bytes().get(Topics.EVENTS), perEventChange);
        out.printf(Locale.ROOT, "compiler checkpoint (compacted): %d records in %,d bytes%n", modelRecords,
                end.bytes().getOrDefault(Topics.COMPILER_MODEL, 0L));
        out.printf(Locale.ROOT, "per 100 GB: %,.0f snapshot versions of %d Ingresses, or %,.0f events (one-object changes)%n",
                100 * GB / perVersion, s.ingresses(), 100 * GB / perEventChange);
    }
}
