package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.snapshot.SourceOffset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The checkpoint's meta record names the events offsets of its own transaction, read back by a restart. */
class ModelCheckpointTest {
    private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    private static List<ProducerRecord<String, byte[]>> write(ModelCheckpoint checkpoint, ClusterModel model,
                                                              List<SourceOffset> offsets) {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        checkpoint.write(producer, model, offsets, "sha256-tree:" + "a".repeat(64));
        return producer.history();
    }

    private static ModelCheckpoint.Meta meta(List<ProducerRecord<String, byte[]>> sent) {
        return sent.stream().filter(r -> r.key().equals(ModelCheckpoint.META_KEY)).map(r -> ModelCheckpoint.decodeMeta(r.value()))
                .reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void everyWriteNamesTheOffsetsOfItsTransactionEvenWithNothingElseChanged() {
        ClusterModel model = new ClusterModel();
        ObjectKey key = new ObjectKey("c1", Kind.SERVICE, "ns", "web");
        ClusterEvent e = ClusterEvent.upsert(key, "uid", "1", T, 1, new ServiceState("ClusterIP", null, List.of()));
        model.apply(e);
        ModelCheckpoint checkpoint = new ModelCheckpoint();
        checkpoint.record(e, 2, 7);
        List<ProducerRecord<String, byte[]>> first = write(checkpoint, model,
                List.of(new SourceOffset(Topics.EVENTS, 0, 0), new SourceOffset(Topics.EVENTS, 2, 8)));
        // The meta also says which build compiled this fold to which table: a restart of that build starts from it.
        assertEquals(new ModelCheckpoint.Meta(T, Map.of(0, 0L, 2, 8L), CompilerBuild.fingerprint(), "sha256-tree:" + "a".repeat(64)),
                meta(first));
        assertEquals(true, first.stream().anyMatch(r -> r.key().equals(key.recordKey())), "the changed object is written");

        List<ProducerRecord<String, byte[]>> second = write(checkpoint, model,
                List.of(new SourceOffset(Topics.EVENTS, 0, 3), new SourceOffset(Topics.EVENTS, 2, 8)));
        assertEquals(1, second.size(), "only the meta record");
        assertEquals(new ModelCheckpoint.Meta(T, Map.of(0, 3L, 2, 8L), CompilerBuild.fingerprint(), "sha256-tree:" + "a".repeat(64)),
                meta(second));
    }

    @Test
    void aMetaRecordWrittenBeforeItNamedOffsetsGivesTheTimeAndNoOffsets() {
        ModelCheckpoint.Meta m = ModelCheckpoint.decodeMeta(T.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(new ModelCheckpoint.Meta(T, Map.of(), null, null), m);
    }
}
