package dev.signalbox.launcher.bench;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a long routing history for the audit commands' benchmark: {@code versions} snapshots through the real
 * codec and {@link SnapshotWriter}, their records timestamped evenly over the past {@code days}, each
 * caused by one EndpointSlice event in the events topic and carrying the matching provenance. Unlike the
 * compiler it writes outside transactions: a transaction's commit marker carries the time it is written, so
 * backdated records inside transactions would all look published now to the broker's time index. Each
 * record is a batch of its own, as the compiler's one-version transactions make them. Each version
 * scales one of {@code hosts} backends (its endpoints move by one), so every version differs from the last,
 * as a busy cluster's do. The tables are not what the compiler would make of the events (verify is measured
 * on a compiled log instead); their size and shape are those of a real table of {@code hosts} Ingresses.
 */
public final class HistoryGenerator {

    public record Settings(KafkaConnection kafka, int versions, int hosts, Duration spread) {
    }

    private HistoryGenerator() {
    }

    public static void run(Settings s, PrintStream log) throws Exception {
        int partitions = eventPartitions(s.kafka());
        Properties p = new Properties();
        // As the compiler: snapshots are repetitive JSON.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // One record per batch, as the compiler's one-version transactions write them: a reader looking up one
        // version then fetches one version, not a batch of hundreds.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        Instant end = Instant.now();
        Instant start = end.minus(s.spread());
        long step = s.spread().toMillis() / Math.max(1, s.versions());
        long[] next = new long[partitions];
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(s.kafka().properties(p), new StringSerializer(),
                new ByteArraySerializer())) {
            SnapshotWriter writer = new SnapshotWriter(producer, SnapshotChunk.DEFAULT_CHUNK_BYTES);
            int[] scale = new int[s.hosts()];
            for (int v = 1; v <= s.versions(); v++) {
                int host = v % s.hosts();
                scale[host] = (scale[host] + 1) % 4;
                Instant at = start.plusMillis(step * v);
                ClusterEvent e = ClusterEvent.upsert(new ObjectKey("bench", Kind.ENDPOINT_SLICE, "ns", "app-" + host + "-1"),
                        "uid-" + host, String.valueOf(v), at, 1, slice(host, scale[host]));
                int partition = host % partitions;
                producer.send(new ProducerRecord<>(Topics.EVENTS, partition, at.toEpochMilli(), e.key().recordKey(),
                        ClusterEventCodec.encode(e)));
                next[partition]++;
                List<SourceOffset> provenance = new ArrayList<>();
                for (int q = 0; q < partitions; q++) {
                    provenance.add(new SourceOffset(Topics.EVENTS, q, next[q]));
                }
                RoutingSnapshot snapshot = SnapshotCodec.create(v, at, provenance, table(s.hosts(), scale));
                writer.send(snapshot, at.toEpochMilli());
                if (v % 10_000 == 0) {
                    log.printf("generated %d versions in %.1f s%n", v, (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        log.printf("generated %d versions (%d hosts, one change per version, %s of history) in %.1f s%n", s.versions(),
                s.hosts(), s.spread(), (System.nanoTime() - t0) / 1e9);
    }

    /** Refuses a log that is not empty: the provenance assumes the events start at offset 0. */
    private static int eventPartitions(KafkaConnection kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.properties(Map.of()))) {
            var d = admin.describeTopics(List.of(Topics.EVENTS, Topics.SNAPSHOTS)).allTopicNames().get();
            int partitions = d.get(Topics.EVENTS).partitions().size();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            latest.put(new TopicPartition(Topics.SNAPSHOTS, 0), org.apache.kafka.clients.admin.OffsetSpec.latest());
            for (int q = 0; q < partitions; q++) {
                latest.put(new TopicPartition(Topics.EVENTS, q), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            boolean empty = admin.listOffsets(latest).all().get().values().stream().allMatch(o -> o.offset() == 0);
            if (!empty) {
                throw new IllegalStateException("the events and snapshots topics must be empty: generate into a new broker");
            }
            return partitions;
        }
    }

    private static EndpointSliceState slice(int host, int scale) {
        List<EndpointSliceState.Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i <= scale; i++) {
            endpoints.add(new EndpointSliceState.Endpoint(List.of(address(host, i)), true, true, false));
        }
        return new EndpointSliceState("app-" + host, "IPv4", List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                endpoints);
    }

    private static String address(int host, int i) {
        return "10." + (host / 250) + "." + (host % 250) + "." + (i + 1);
    }

    /** {@code hosts} hosts app-N.bench.example.com, each with /, /api and /static/ to its own backend. */
    private static RoutingTable table(int hosts, int[] scale) {
        List<VirtualHost> vhs = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            String id = Backend.idOf("bench", "ns", "app-" + h, "80");
            List<Endpoint> endpoints = new ArrayList<>();
            for (int i = 0; i <= scale[h]; i++) {
                endpoints.add(new Endpoint(address(h, i), 8080));
            }
            backends.add(new Backend(id, "bench", "ns", "app-" + h, "80", endpoints, null));
            String source = "bench/ns/app-" + h;
            vhs.add(new VirtualHost("app-" + h + ".bench.example.com", List.of(
                    new Route("/static/", PathMatch.PREFIX, id, source), new Route("/api", PathMatch.EXACT, id, source),
                    new Route("/", PathMatch.PREFIX, id, source))));
        }
        vhs.sort(java.util.Comparator.comparing(VirtualHost::host));
        backends.sort(java.util.Comparator.comparing(Backend::id));
        return new RoutingTable(vhs, null, backends, List.of(), List.of());
    }
}
