package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.SnapshotDeltaCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SnapshotDelta;
import dev.signalbox.schemas.snapshot.SourceOffset;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.schemas.Topics;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every reader of the snapshots topic gets whole snapshots when versions are published as deltas (issue 15):
 * {@link SnapshotLog}'s latest, by version, by offset, ranges and following, from a full snapshot or from the middle
 * of a chain, through a real broker. Versions 1 and 4 are whole, the others deltas; chunks are small, so a delta
 * spans several records too.
 */
class SnapshotDeltaIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int VERSIONS = 6;
    private static EmbeddedKafka kafka;
    private static final Map<Long, RoutingSnapshot> published = new TreeMap<>();

    @BeforeAll
    static void publish() {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        try (SnapshotWriter.Publisher p = SnapshotWriter.publisher(kafka.bootstrapServers(), "delta-it", 300)) {
            RoutingSnapshot previous = null;
            for (long v = 1; v <= VERSIONS; v++) {
                RoutingSnapshot s = SnapshotCodec.create(v, Instant.parse("2026-12-06T00:00:00Z").plusSeconds(v),
                        List.of(new SourceOffset(Topics.EVENTS, 0, v * 10)), table(v));
                if (v == 1 || v == 4) {
                    p.publish(s);
                } else {
                    p.publishDelta(SnapshotDeltaCodec.between(previous.table(), s));
                }
                published.put(v, s);
                previous = s;
            }
        }
        // The last commit's markers are written after commitTransaction() returns: wait until it is readable.
        try (SnapshotLog log = reader("setup")) {
            Await.until("version " + VERSIONS + " readable", WAIT,
                    () -> log.latest(WAIT).map(s -> s.version() == VERSIONS).orElse(false));
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** Version v: hosts app-0 .. app-(v+1), each its backend, whose endpoints change with v. */
    private static RoutingTable table(long v) {
        List<VirtualHost> hosts = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i <= v + 1; i++) {
            String id = "c/ns/app-" + i + ":80";
            List<Endpoint> endpoints = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                endpoints.add(new Endpoint("10." + i + ".0." + (e + (i == v ? 1 : 0)), 8080));
            }
            backends.add(new Backend(id, "c", "ns", "app-" + i, "80", endpoints, null));
            hosts.add(new VirtualHost("app-" + i + ".test", List.of(new Route("/", PathMatch.PREFIX, id, "c/ns/app-" + i))));
        }
        return new RoutingTable(hosts, null, backends, List.of(), List.of());
    }

    private static SnapshotLog reader(String name) {
        return SnapshotLog.connect(kafka.bootstrapServers(), "delta-it-" + name);
    }

    @Test
    void theLatestVersionIsTheWholeTableADeltaProduces() {
        try (SnapshotLog log = reader("latest")) {
            RoutingSnapshot latest = log.latest(WAIT).orElseThrow();
            assertEquals(published.get((long) VERSIONS), latest);
            // What a compiler continuing the sequence needs to publish a delta on the readers' chain.
            assertEquals(4, log.chainBase(latest).orElseThrow().version(), "the latest version is built on the full version 4");
        }
    }

    @Test
    void everyVersionIsFoundWholeByItsNumber() {
        try (SnapshotLog log = reader("version")) {
            for (long v = VERSIONS; v >= 1; v--) {
                SnapshotLog.Entry e = log.version(v, WAIT).orElseThrow();
                assertEquals(published.get(v), e.snapshot(), "version " + v);
                // What a compiler continuing the sequence from v needs to publish a delta on the readers' chain.
                SnapshotLog.ChainBase base = log.chainBase(e.snapshot()).orElseThrow();
                assertEquals(v >= 4 ? 4 : 1, base.version(), "the full version under version " + v);
                assertTrue(base.bytes() > 0);
            }
        }
    }

    @Test
    void aRangeFromTheBeginningGivesEveryVersionWholeAndSaysWhichCameAsDeltas() {
        try (SnapshotLog log = reader("range")) {
            List<SnapshotLog.Entry> all = log.read(log.beginningOffset(WAIT), log.endOffset(WAIT), 100, WAIT);
            assertEquals(List.copyOf(published.values()), all.stream().map(SnapshotLog.Entry::snapshot).toList());
            assertEquals(List.of(false, true, true, false, true, true), all.stream().map(e -> e.delta() != null).toList());
        }
    }

    @Test
    void aReaderThatStartsAtADeltaReadsItsChainFromTheFullSnapshotBeforeIt() {
        try (SnapshotLog log = reader("mid-chain")) {
            long v3 = log.version(3, WAIT).orElseThrow().firstOffset();
            long end = log.endOffset(WAIT);
            // Before v3's first chunk the snapshot in force is v2, a delta whose base v1 lies outside the first window.
            RoutingSnapshot v2 = log.lastBefore(v3, WAIT).orElseThrow().snapshot();
            assertEquals(published.get(2L), v2);
            assertEquals(1, log.chainBase(v2).orElseThrow().version(), "v2 was read through its chain from v1");
            List<RoutingSnapshot> followed = log.read(v3, end, 100, WAIT).stream().map(SnapshotLog.Entry::snapshot).toList();
            assertEquals(List.of(published.get(3L), published.get(4L), published.get(5L), published.get(6L)), followed);
        }
    }

    @Test
    void aDeltaWhoseTableDoesNotHaveItsHashIsSkippedAndCountedNeverServed() {
        try (SnapshotLog log = reader("tampered")) {
            long end = log.endOffset(WAIT);
            RoutingSnapshot last = published.get((long) VERSIONS);
            SnapshotDelta good = SnapshotDeltaCodec.between(last.table(), SnapshotCodec.create(VERSIONS + 1,
                    last.createdAt(), last.provenance(), table(VERSIONS + 1)));
            SnapshotDelta tampered = new SnapshotDelta(good.formatVersion(), good.version(), good.previousVersion(),
                    good.createdAt(), good.provenance(), last.contentHash(), good.changes(), good.transactions());
            try (SnapshotWriter.Publisher p = SnapshotWriter.publisher(kafka.bootstrapServers(), "delta-it-tampered", 300)) {
                p.publishDelta(tampered);
            }
            // commitTransaction() returns before the commit markers are written: the delta is readable (under
            // read_committed) only once the end offset moved past it.
            long tamperedEnd = Await.value("the tampered delta readable", WAIT, () -> log.endOffset(WAIT), e -> e > end);
            List<SnapshotLog.Entry> after = log.read(end, tamperedEnd, 100, WAIT);
            assertEquals(List.of(), after);
            assertTrue(log.decodeFailures() > 0);
            assertEquals(published.get((long) VERSIONS), log.lastBefore(log.endOffset(WAIT), WAIT).map(SnapshotLog.Entry::snapshot)
                    .orElse(null));
        }
    }
}
