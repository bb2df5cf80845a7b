package dev.signalbox.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.Op;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.event.TransactionMark;
import dev.signalbox.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 at the watcher, with a manifests directory and a real broker of three partitions: a source change
 * is one transaction, every record marked with it. The initial list and its sync marker are one transaction; a
 * file with several objects, written or removed, is one transaction; a restart's reconcile with nothing to do
 * is one transaction holding the marker alone, under a newer epoch.
 */
class WatcherTransactionsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void everySourceChangeIsOneTransaction() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            write("a.yaml", ManifestsWatcherIT.service("api", 80) + ManifestsWatcherIT.service("db", 5432));
            write("b.yaml", ManifestsWatcherIT.INGRESS);
            WatcherConfig config = WatcherConfig.defaults(bootstrap, "tx").withManifestsDir(dir);
            try (Watcher w = Watcher.startManifests(config)) {
                Map<TransactionMark.Id, List<EventLogRecord>> tx = Await.value("the initial list", WAIT,
                        () -> transactions(bootstrap), m -> m.size() == 1);
                List<EventLogRecord> initial = tx.values().iterator().next();
                assertEquals(4, initial.size(), "three objects and the marker: " + initial);
                assertEquals(1, initial.stream().filter(r -> r instanceof SyncMarker).count(), "the list ends with its marker");
                assertEquals(4, initial.get(0).transaction().records(), "the mark counts every record of the transaction");

                write("c.yaml", ManifestsWatcherIT.service("cache", 6379) + ManifestsWatcherIT.service("queue", 5672));
                List<EventLogRecord> created = Await.value("the new file", WAIT, () -> transactions(bootstrap), m -> m.size() == 2)
                        .values().stream().skip(1).findFirst().orElseThrow();
                assertEquals(List.of(Op.UPSERT, Op.UPSERT), ops(created), "one file, two objects, one transaction");

                Files.delete(dir.resolve("c.yaml"));
                List<EventLogRecord> removed = Await.value("the file removed", WAIT, () -> transactions(bootstrap), m -> m.size() == 3)
                        .values().stream().skip(2).findFirst().orElseThrow();
                assertEquals(List.of(Op.DELETE, Op.DELETE), ops(removed), "a file removed is one transaction");
            }
            try (Watcher again = Watcher.startManifests(config)) {
                Map<TransactionMark.Id, List<EventLogRecord>> tx = Await.value("the restart's reconcile", WAIT,
                        () -> transactions(bootstrap), m -> m.size() == 4);
                List<EventLogRecord> reconcile = tx.values().stream().skip(3).findFirst().orElseThrow();
                assertEquals(1, reconcile.size(), "nothing changed: the marker alone " + reconcile);
                SyncMarker marker = (SyncMarker) reconcile.get(0);
                assertEquals(3, marker.objects());
                assertTrue(marker.leaderEpoch() > tx.values().iterator().next().get(0).leaderEpoch(), "a newer epoch");
            }
        }
    }

    /** The committed records of cluster "tx", grouped by transaction, in the order of their epoch and sequence. */
    private static Map<TransactionMark.Id, List<EventLogRecord>> transactions(String bootstrap) {
        Map<TransactionMark, List<EventLogRecord>> byMark = new TreeMap<>(java.util.Comparator
                .comparingLong(TransactionMark::epoch).thenComparingLong(TransactionMark::sequence)
                .thenComparing(TransactionMark::session));
        for (EventLogRecord r : EventsTopic.readAll(bootstrap, "tx")) {
            assertTrue(r.transaction() != null, "every record is marked: " + r);
            byMark.computeIfAbsent(r.transaction(), k -> new java.util.ArrayList<>()).add(r);
        }
        Map<TransactionMark.Id, List<EventLogRecord>> out = new java.util.LinkedHashMap<>();
        byMark.forEach((mark, l) -> {
            assertEquals(mark.records(), l.size(), "a transaction read whole: " + l);
            out.put(mark.id(), l);
        });
        return out;
    }

    private static List<Op> ops(List<EventLogRecord> records) {
        return records.stream().filter(r -> r instanceof ClusterEvent).map(r -> ((ClusterEvent) r).op()).collect(Collectors.toList());
    }

    private void write(String name, String text) throws Exception {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
