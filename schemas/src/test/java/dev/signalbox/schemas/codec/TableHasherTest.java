package dev.signalbox.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.Samples;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The content hash is the definition the format documents, and a hasher that remembers the last table's entries
 * (by identity, or by equality when many are new instances) gives exactly what a fresh one gives.
 */
class TableHasherTest {
    @Test
    void theHashIsTheDocumentedFoldOfEachFieldAndEachEntry() throws Exception {
        // The last one has thousands of hosts: hashed from scratch, they are hashed in parallel.
        for (RoutingTable t : List.of(Samples.table(), RoutingTable.EMPTY, Samples.randomTable(new Random(7)),
                Samples.randomTable(new Random(8), 300))) {
            MessageDigest all = MessageDigest.getInstance("SHA-256");
            all.update("signalbox-table-tree-1\n".getBytes(StandardCharsets.US_ASCII));
            list(all, t.virtualHosts());
            all.update(sha256(t.defaultBackend()));
            list(all, t.backends());
            list(all, t.tls());
            list(all, t.ingresses());
            list(all, t.diagnostics());
            assertEquals("sha256-tree:" + HexFormat.of().formatHex(all.digest()), new TableHasher().hash(t));
        }
    }

    @Test
    void recordsOfFormatVersionTwoAreCheckedByTheWholeTablesSha256() throws Exception {
        RoutingTable t = Samples.table();
        String flat = "sha256:" + HexFormat.of().formatHex(sha256(t));
        assertEquals(flat, TableHasher.flat(t));
        assertEquals(flat, new TableHasher().hashAs(flat, t));
        assertEquals(new TableHasher().hash(t), new TableHasher().hashAs("sha256-tree:" + "0".repeat(64), t));
    }

    @Test
    void everyTableInASequenceHashesAsAFreshHasherHashesIt() {
        TableHasher hasher = new TableHasher();
        Random random = new Random(21);
        RoutingTable big = Samples.randomTable(random, 20);
        List<RoutingTable> tables = new ArrayList<>(List.of(RoutingTable.EMPTY, Samples.table(), Samples.table(),
                Samples.delta().changes().applyTo(Samples.table()), RoutingTable.EMPTY,
                // Hundreds of entries, then the same entries as other instances (a whole compile): the equality lookup.
                big, Samples.randomTable(new Random(21), 20), big));
        for (int i = 0; i < 200; i++) {
            tables.add(Samples.randomTable(random));
        }
        for (int i = 0; i < tables.size(); i++) {
            assertEquals(new TableHasher().hash(tables.get(i)), hasher.hash(tables.get(i)), "table " + i);
        }
    }

    @Test
    void aHasherThatAdoptsAnothersLastTableHashesAsAFreshOne() {
        TableHasher reader = new TableHasher();
        RoutingTable read = Samples.randomTable(new Random(3), 20);
        reader.hash(read);
        TableHasher writer = new TableHasher();
        writer.adopt(reader);
        // The same table compiled again (other instances), then one changed: both as a fresh hasher has them.
        for (RoutingTable t : List.of(Samples.randomTable(new Random(3), 20), Samples.randomTable(new Random(4), 20))) {
            assertEquals(new TableHasher().hash(t), writer.hash(t));
        }
        assertEquals(new TableHasher().hash(read), reader.hash(read));
    }

    private static void list(MessageDigest all, List<?> entries) throws Exception {
        all.update(ByteBuffer.allocate(4).putInt(entries.size()).array());
        for (Object e : entries) {
            all.update(sha256(e));
        }
    }

    private static byte[] sha256(Object value) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Json.MAPPER.writeValueAsBytes(value));
    }
}
