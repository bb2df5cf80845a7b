package dev.signalbox.benchmarks;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.SnapshotDeltaCodec;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.snapshotlog.SnapshotRecords;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Bytes on the wire at {@link Scale}'s size, printed (sizes need no timing, so this is a plain main, not a
 * benchmark): a full table's snapshot, and the version published after one endpoint changed, whole and as the delta
 * the compiler publishes for it (issue 15). For each, the
 * encoded snapshot ({@code SnapshotCodec.encode}), and the Kafka record batches the compiler's producer sends for
 * it: the encoded bytes split into chunks of {@link SnapshotChunk#DEFAULT_CHUNK_BYTES} as {@code SnapshotWriter}
 * does, each chunk a record with its key and headers, in a zstd batch of its own (a chunk is larger than the
 * producer's batch.size, so it is alone in its batch), compressed by Kafka's own zstd codec at its default level as
 * the producer does ({@code compression.type=zstd}). Excludes the produce request's framing (tens of bytes).
 * <p>
 * {@code java -cp benchmarks/target/benchmarks.jar dev.signalbox.benchmarks.WireSizes}
 */
public final class WireSizes {
    private WireSizes() {
    }

    public static void main(String[] args) {
        print(System.out);
    }

    static void print(PrintStream out) {
        ClusterModel model = Scale.model();
        RoutingTable full = Scale.compile(model);
        RoutingSnapshot v1 = Scale.snapshot(1, full);
        model.apply(Scale.slice(0, 1));
        RoutingTable changed = Scale.compile(model);
        RoutingSnapshot v2 = Scale.snapshot(2, changed);
        if (v1.contentHash().equals(v2.contentHash())) {
            throw new IllegalStateException("the endpoint change did not change the table");
        }
        out.printf("table: %d hosts, %d backends, %d endpoints%n", full.virtualHosts().size(), full.backends().size(),
                full.backends().stream().mapToInt(b -> b.endpoints().size()).sum());
        line(out, "full table (version 1)", v1);
        line(out, "after one endpoint change (version 2), whole", v2);
        byte[] delta = SnapshotDeltaCodec.encode(SnapshotDeltaCodec.between(full, v2));
        line(out, "after one endpoint change (version 2), as the delta the compiler publishes", v2.version(), delta, true);
        out.flush();
    }

    private static void line(PrintStream out, String what, RoutingSnapshot snapshot) {
        line(out, what, snapshot.version(), SnapshotCodec.encode(snapshot), false);
    }

    private static void line(PrintStream out, String what, long version, byte[] encoded, boolean isDelta) {
        List<SnapshotChunk> chunks = SnapshotChunk.split(version, encoded, SnapshotChunk.DEFAULT_CHUNK_BYTES, isDelta);
        long batches = 0;
        for (SnapshotChunk c : chunks) {
            SimpleRecord record = new SimpleRecord(System.currentTimeMillis(), c.recordKey().getBytes(StandardCharsets.UTF_8),
                    c.data(), SnapshotRecords.headers(c).toArray());
            batches += MemoryRecords.withRecords(Compression.zstd().build(), record).sizeInBytes();
        }
        out.printf("%s: encoded %,d bytes; on the wire as %d zstd record batch(es): %,d bytes%n", what, encoded.length,
                chunks.size(), batches);
    }
}
