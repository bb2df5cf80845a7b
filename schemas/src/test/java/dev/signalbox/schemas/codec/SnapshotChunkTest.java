package dev.signalbox.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.Samples;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotChunkTest {
    private static final int SLICE = 100;

    @Test
    void aSnapshotSplitIntoManyChunksIsReassembledFromItsRecords() throws IOException {
        RoutingSnapshot s = Samples.snapshot();
        List<SnapshotChunk> chunks = SnapshotChunk.split(s.version(), SnapshotCodec.encode(s), SLICE);
        SnapshotAssembler assembler = new SnapshotAssembler();
        List<RoutingSnapshot> out = new ArrayList<>();
        for (SnapshotChunk c : chunks) {
            Optional<byte[]> whole = assembler.accept(SnapshotChunk.fromHeaders(c.headers()::get, c.data()));
            if (whole.isPresent()) {
                out.add(SnapshotCodec.decode(whole.get()));
            }
        }
        assertEquals(List.of(true, s), List.of(chunks.size() > 3, out.get(0)));
    }

    @Test
    void aChunkCarriesItsPlaceInHeadersAndItsVersionAsASortableKey() {
        SnapshotChunk c = SnapshotChunk.split(42, new byte[250], SLICE).get(1);
        List<String> headers = new ArrayList<>();
        for (Map.Entry<String, String> h : c.headers().entrySet()) {
            headers.add(h.getKey() + "=" + h.getValue());
        }
        assertEquals(List.of("0000000000000000042", "signalbox.format=" + dev.signalbox.schemas.FormatVersion.CURRENT, "signalbox.snapshot.version=42",
                        "signalbox.chunk.index=1", "signalbox.chunk.count=3"),
                concat(c.recordKey(), headers));
    }

    @Test
    void aDeltaChunkSaysSoInOneMoreHeaderAndKeepsItWhenRead() {
        SnapshotChunk c = SnapshotChunk.split(42, new byte[250], SLICE, true).get(1);
        assertEquals("delta", c.headers().get("signalbox.snapshot.kind"));
        assertEquals(List.of(true, false), List.of(SnapshotChunk.fromHeaders(c.headers()::get, c.data()).delta(),
                SnapshotChunk.fromHeaders(SnapshotChunk.split(42, new byte[250], SLICE).get(1).headers()::get, c.data()).delta()));
    }

    private record Case(String name, List<SnapshotChunk> chunks, List<String> expected) {
    }

    @Test
    void onlyCompleteInOrderSnapshotsAreAssembled() {
        List<SnapshotChunk> v1 = chunks(1, "aaaaabbbbbccccc");
        List<SnapshotChunk> v2 = chunks(2, "dddddeeeee");
        List<Case> cases = List.of(
                new Case("chunks in order give the whole snapshot", v1, List.of("aaaaabbbbbccccc")),
                new Case("a single-chunk snapshot is complete at once", chunks(3, "xyz"), List.of("xyz")),
                new Case("two snapshots in a row give both", concat(v1, v2), List.of("aaaaabbbbbccccc", "dddddeeeee")),
                new Case("a missing middle chunk drops the snapshot", List.of(v1.get(0), v1.get(2)), List.of()),
                new Case("chunks out of order drop the snapshot", List.of(v1.get(0), v1.get(2), v1.get(1)), List.of()),
                new Case("a chunk of another version mid-snapshot drops the partial one",
                        List.of(v1.get(0), v2.get(1), v1.get(1), v1.get(2)), List.of()),
                new Case("a new snapshot's first chunk drops the partial one and starts afresh",
                        concat(v1.subList(0, 2), v2), List.of("dddddeeeee")),
                new Case("a snapshot seen from its middle is skipped, the next one is kept",
                        concat(v1.subList(1, 3), v2), List.of("dddddeeeee")));
        for (Case c : cases) {
            SnapshotAssembler assembler = new SnapshotAssembler();
            List<String> out = new ArrayList<>();
            for (SnapshotChunk chunk : c.chunks()) {
                assembler.accept(chunk).ifPresent(b -> out.add(new String(b, StandardCharsets.US_ASCII)));
            }
            assertEquals(c.expected(), out, c.name());
        }
    }

    @Test
    void aRecordWithoutChunkHeadersIsRefused() {
        String outcome;
        try {
            SnapshotChunk.fromHeaders(name -> null, new byte[1]);
            outcome = "accepted";
        } catch (IllegalArgumentException e) {
            outcome = e.getMessage();
        }
        assertEquals("chunk record without header signalbox.snapshot.version", outcome);
    }

    private static List<SnapshotChunk> chunks(long version, String text) {
        return SnapshotChunk.split(version, text.getBytes(StandardCharsets.US_ASCII), 5);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
