package dev.signalbox.benchmarks;

import dev.signalbox.compiler.compile.IncrementalCompiler;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.codec.TableHasher;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.RoutingTable;
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
 * The compiler's pure work at {@link Scale}'s size: a full compile of the model (the table, as the compiler loop
 * compiles it, {@code Isolation.compile} around {@code RouteCompiler.compile}), the same plus the content hash the
 * loop computes before publishing, and the work after one endpoint changed: the slice event applied to the model,
 * then the compile and hash as a whole compile, and as the compiler loop does it since issue 15's incremental work
 * ({@code IncrementalCompiler}, which builds again only the changed Service's backends, and {@code TableHasher},
 * which serialises only the changed entries for the same SHA-256). The change alternates one endpoint of Service
 * app-0 between not ready and ready, so every invocation is a real change.
 * Each compile allocates about 150 MB and takes the best part of a second: five warm-up iterations of 5 s (the first
 * ones run on code still being compiled) and a 4 GB heap, so that the figure is the compile's and not the JIT's or a
 * full heap's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class CompileBenchmark {
    private ClusterModel model;
    private int flip;
    private IncrementalCompiler incremental;
    private TableHasher hasher;

    @Setup
    public void setUp() {
        model = Scale.model();
        incremental = new IncrementalCompiler();
        hasher = new TableHasher();
        hasher.hash(incremental.compile(model));
    }

    @Benchmark
    public RoutingTable fullCompile() {
        return Scale.compile(model);
    }

    @Benchmark
    public String fullCompileAndHash() {
        return SnapshotCodec.contentHash(Scale.compile(model));
    }

    /** One endpoint change as the compiler loop compiles it: only the changed Service's backends. */
    @Benchmark
    public RoutingTable oneEndpointChangeIncrementalCompile() {
        flip ^= 1;
        model.apply(Scale.slice(0, flip));
        return incremental.compile(model);
    }

    /** The same and its content hash, as the loop computes both before publishing. */
    @Benchmark
    public String oneEndpointChangeIncrementalCompileAndHash() {
        flip ^= 1;
        model.apply(Scale.slice(0, flip));
        return hasher.hash(incremental.compile(model));
    }

    /** A whole compile and hash from scratch, what every change cost before issue 15's incremental work. */
    @Benchmark
    public String oneEndpointChangeApplyCompileAndHash() {
        flip ^= 1;
        model.apply(Scale.slice(0, flip));
        return SnapshotCodec.contentHash(Scale.compile(model));
    }
}
