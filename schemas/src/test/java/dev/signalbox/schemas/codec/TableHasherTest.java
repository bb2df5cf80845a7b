package dev.signalbox.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.Samples;
import dev.signalbox.schemas.snapshot.RoutingTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hash a reader or the compiler computes table after table is exactly {@link SnapshotCodec#contentHash}. */
class TableHasherTest {
    @Test
    void everyTableInASequenceHashesAsTheCodecHashesIt() {
        TableHasher hasher = new TableHasher();
        List<RoutingTable> tables = new ArrayList<>(List.of(RoutingTable.EMPTY, Samples.table(), Samples.table(),
                Samples.delta().changes().applyTo(Samples.table()), RoutingTable.EMPTY));
        Random random = new Random(21);
        for (int i = 0; i < 200; i++) {
            tables.add(Samples.randomTable(random));
        }
        for (int i = 0; i < tables.size(); i++) {
            assertEquals(SnapshotCodec.contentHash(tables.get(i)), hasher.hash(tables.get(i)), "table " + i);
        }
    }
}
