package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.TransactionMark;
import dev.signalbox.schemas.snapshot.SourceOffset;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replaying a long events log holds a bounded number of records, not the log: 30,000 events in 10,000 watcher
 * transactions of three records, one in each of the three partitions, replayed by time
 * ({@link Replay#tableAtTime}) and by provenance ({@link ReplayCursor}), each to the table the plain fold gives.
 */
class ReplayBoundIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int TRANSACTIONS = 10_000;
    private static final int PER_PARTITION = TRANSACTIONS;
    private static EmbeddedKafka kafka;
    private static Instant written;

    @BeforeAll
    static void writeTheLog() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        // Many small records: batch them.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int t = 0; t < TRANSACTIONS; t++) {
                TransactionMark mark = new TransactionMark("signalbox-watcher-c1", "session", 1, t + 1, 3);
                for (int partition = 0; partition < 3; partition++) {
                    // Few objects, changed over and over: the model stays small, the log grows.
                    ClusterEvent e = ClusterEvent.upsert(new ObjectKey("c1", Kind.SERVICE, "ns", "svc-" + partition + "-" + t % 7),
                            "uid", String.valueOf(t), Instant.EPOCH.plusSeconds(t), 1,
                            new ServiceState("ClusterIP", null, List.of())).withTransaction(mark);
                    producer.send(new ProducerRecord<>(Topics.EVENTS, partition, e.key().recordKey(), EventLogCodec.encode(e)));
                }
            }
            producer.flush();
        }
        written = Instant.now();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static List<SourceOffset> ends() {
        return List.of(new SourceOffset(Topics.EVENTS, 0, PER_PARTITION), new SourceOffset(Topics.EVENTS, 1, PER_PARTITION),
                new SourceOffset(Topics.EVENTS, 2, PER_PARTITION));
    }

    @Test
    void aReplayByTimeFoldsWholeTransactionsAsItReadsAndHoldsAtMostItsBoundAndAPoll() {
        int bound = 1_000;
        Replay.AtTime r = Replay.tableAtTime(KafkaConnection.of(kafka.bootstrapServers()), written.plusSeconds(1), WAIT, bound);
        assertEquals(0, r.heldBack(), r.toString());
        assertEquals(ends(), r.provenance());
        // Per partition its bound, plus one poll's records (Replay.consumer: max.poll.records 5000).
        assertTrue(r.peakHeld() <= 3 * bound + 5_000, "held " + r.peakHeld() + " of " + 3 * PER_PARTITION + " records");
        assertEquals(SnapshotCodec.contentHash(Replay.tableAt(kafka.bootstrapServers(), ends())),
                SnapshotCodec.contentHash(r.table()));
    }

    @Test
    void aReplayCursorFetchesOnlyThePartitionsShortOfTheProvenance() {
        try (ReplayCursor cursor = new ReplayCursor(kafka.bootstrapServers())) {
            // The first snapshot has all of partition 0 and nothing of the others, which must not be read ahead.
            cursor.tableAt(List.of(new SourceOffset(Topics.EVENTS, 0, PER_PARTITION), new SourceOffset(Topics.EVENTS, 1, 0),
                    new SourceOffset(Topics.EVENTS, 2, 0)));
            String replayed = SnapshotCodec.contentHash(cursor.tableAt(ends()));
            assertEquals(3L * PER_PARTITION, cursor.events());
            assertTrue(cursor.peakBuffered() <= 5_000, "held back " + cursor.peakBuffered() + " of " + 2 * PER_PARTITION
                    + " records of the partitions not yet needed");
            assertEquals(SnapshotCodec.contentHash(Replay.tableAt(kafka.bootstrapServers(), ends())), replayed);
        }
    }
}
