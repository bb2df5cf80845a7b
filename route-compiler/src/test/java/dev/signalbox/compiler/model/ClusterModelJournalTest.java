package dev.signalbox.compiler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceExportState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model's journal of object changes (what the incremental compile reads) and its per-kind ranges. */
class ClusterModelJournalTest {
    private static final ObjectKey A = new ObjectKey("c0", Kind.SERVICE_EXPORT, "apps", "a");
    private static final ObjectKey B = new ObjectKey("c1", Kind.SERVICE_EXPORT, "apps", "b");

    private static ClusterEvent upsert(ObjectKey key, String version) {
        return ClusterEvent.upsert(key, "u", version, Instant.EPOCH, 1, new ServiceExportState(null));
    }

    @Test
    void eachChangedKeyComesOnceWithWhatItWasAtTheStamp() {
        ClusterModel model = new ClusterModel();
        model.apply(upsert(A, "1"));
        StoredObject a1 = model.stored(A);
        long stamp = model.stamp();
        model.apply(upsert(A, "2"));
        model.apply(upsert(A, "3"));
        model.apply(upsert(B, "1"));
        model.apply(ClusterEvent.delete(B, "u", "2", Instant.EPOCH, 1));
        Map<ObjectKey, StoredObject> expected = new HashMap<>();
        expected.put(A, a1);
        expected.put(B, null);
        assertEquals(expected, model.changedSince(stamp));
        assertEquals(Map.of(), model.changedSince(model.stamp()));
    }

    @Test
    void aStampTheJournalNoLongerReachesGivesNull() {
        ClusterModel model = new ClusterModel();
        long start = model.stamp();
        model.apply(upsert(A, "1"));
        model.forgetChangesBefore(model.stamp());
        assertNull(model.changedSince(start));
        for (int i = 0; i < 1024; i++) {
            model.apply(upsert(A, "v" + i));
        }
        long dropped = model.stamp() - 1024;
        model.apply(upsert(A, "last"));
        assertNull(model.changedSince(dropped), "the journal is dropped past its bound");
        assertEquals(1, model.changedSince(model.stamp() - 1).size());
    }

    @Test
    void ofKindReadsEveryClustersRangeOfThatKind() {
        ClusterModel model = new ClusterModel();
        model.apply(upsert(B, "1"));
        model.apply(upsert(A, "1"));
        model.apply(ClusterEvent.upsert(new ObjectKey("c0x", Kind.SERVICE_EXPORT, "", "x"), "u", "1", Instant.EPOCH, 1,
                new ServiceExportState(null)));
        assertEquals(List.of("c0/apps/a", "c0x//x", "c1/apps/b"), model.ofKind(Kind.SERVICE_EXPORT).stream()
                .map(o -> o.key().clusterId() + "/" + o.key().namespace() + "/" + o.key().name()).toList());
        assertEquals(List.of(), model.ofKind(Kind.INGRESS));
    }
}
