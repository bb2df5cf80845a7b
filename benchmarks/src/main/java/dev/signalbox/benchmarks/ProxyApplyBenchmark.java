package dev.signalbox.benchmarks;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.codec.DecodeException;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.SnapshotDeltaCodec;
import dev.signalbox.schemas.codec.TableHasher;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TableDelta;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a proxy does with a full snapshot at {@link Scale}'s size once its chunks are joined: decode it
 * ({@code SnapshotCodec.decode}, which parses the JSON and checks the content hash) and compile it into the table it
 * routes with ({@code CompiledTable.compile} at {@link Locality#DEFAULT}). The snapshot's bytes are encoded in setup.
 * Kafka's zstd decompression in the consumer is not included.
 * <p>
 * And what it does with a delta of one endpoint change (issue 15): decode it, apply it to the snapshot it follows
 * and check the content hash of the whole table it produces ({@code SnapshotDeltaCodec} with the reader's
 * {@code TableHasher}, as {@code SnapshotLog} does), then compile the new version from the table it serves
 * ({@code CompiledTable.compile(snapshot, locality, previous)}, as {@code RoutingState} does). Invocations alternate
 * between two tables that differ in one endpoint, each delta applied to the other table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class ProxyApplyBenchmark {
    private byte[] encoded;
    private final RoutingSnapshot[] base = new RoutingSnapshot[2];
    private final CompiledTable[] serving = new CompiledTable[2];
    private final byte[][] delta = new byte[2][];
    private final TableHasher hasher = new TableHasher();
    private int flip;

    @Setup
    public void setUp() {
        ClusterModel model = Scale.model();
        RoutingTable a = Scale.compile(model);
        encoded = SnapshotCodec.encode(Scale.snapshot(1, a));
        model.apply(Scale.slice(0, 1));
        // b made of a's entries but the one that changed, as a reader's tables are (each the last one with a delta
        // applied), so the hasher finds the unchanged entries by identity as it does in a proxy.
        RoutingTable b = TableDelta.between(a, Scale.compile(model)).applyTo(a);
        // Both labelled version 1, so that either delta (version 2) follows either.
        base[0] = Scale.snapshot(1, a);
        base[1] = Scale.snapshot(1, b);
        delta[0] = SnapshotDeltaCodec.encode(SnapshotDeltaCodec.between(a, Scale.snapshot(2, b)));
        delta[1] = SnapshotDeltaCodec.encode(SnapshotDeltaCodec.between(b, Scale.snapshot(2, a)));
        serving[0] = CompiledTable.compile(base[0], Locality.DEFAULT);
        serving[1] = CompiledTable.compile(base[1], Locality.DEFAULT);
        hasher.hash(a);
    }

    /** The reader's part: decode a delta, apply it, check the whole table's content hash. */
    @Benchmark
    public RoutingSnapshot deltaDecodeAndApply() throws DecodeException {
        flip ^= 1;
        return SnapshotDeltaCodec.apply(base[flip ^ 1], SnapshotDeltaCodec.decode(delta[flip ^ 1]), hasher);
    }

    /** The same and the proxy's compile of the new version from the table it serves. */
    @Benchmark
    public CompiledTable deltaDecodeApplyAndCompile() throws DecodeException {
        flip ^= 1;
        RoutingSnapshot s = SnapshotDeltaCodec.apply(base[flip ^ 1], SnapshotDeltaCodec.decode(delta[flip ^ 1]), hasher);
        return CompiledTable.compile(s, Locality.DEFAULT, serving[flip ^ 1]);
    }

    @Benchmark
    public CompiledTable decodeAndCompile() throws DecodeException {
        return CompiledTable.compile(SnapshotCodec.decode(encoded), Locality.DEFAULT);
    }
}
