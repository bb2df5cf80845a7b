package dev.signalbox.benchmarks;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.codec.DecodeException;
import dev.signalbox.schemas.codec.SnapshotCodec;
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
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class ProxyApplyBenchmark {
    private byte[] encoded;

    @Setup
    public void setUp() {
        encoded = SnapshotCodec.encode(Scale.snapshot(1, Scale.compile(Scale.model())));
    }

    @Benchmark
    public CompiledTable decodeAndCompile() throws DecodeException {
        return CompiledTable.compile(SnapshotCodec.decode(encoded), Locality.DEFAULT);
    }
}
