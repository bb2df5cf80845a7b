package dev.signalbox.benchmarks;

import dev.signalbox.compiler.model.SyntheticCluster;
import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Decision;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.snapshot.Endpoint;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One route lookup in the proxy's table at {@link Scale}'s size (10,000 hosts, 100,000 paths, 100,000 endpoints):
 * {@code CompiledTable.route(host, path, false, usable)} as the proxy calls it per request, over a fixed set of
 * 4,096 requests drawn at random (seeded) across the hosts and their paths, one per invocation in turn, so caches
 * see a spread of hosts rather than one. Each request is a path under one of the host's prefixes ("/svc-3/items/42")
 * or under "/" only, and a Host header in one of two forms ({@code hostHeader}): "app-7.test:8080", with a port, as
 * a client sends it to a proxy on a port other than 80 (the lookup must cut the port off), or "app-7.test". Run with
 * {@code -prof gc}: gc.alloc.rate.norm is the bytes allocated per lookup, the returned decision included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class RouteLookupBenchmark {
    private static final int REQUESTS = 4096;
    private static final Predicate<Endpoint> ANY = e -> true;

    @Param({"with-port", "bare"})
    public String hostHeader;

    private CompiledTable table;
    private final String[] hosts = new String[REQUESTS];
    private final String[] paths = new String[REQUESTS];
    private int next;

    @Setup
    public void setUp() {
        table = CompiledTable.compile(Scale.snapshot(1, Scale.compile(Scale.model())), Locality.DEFAULT);
        Random random = new Random(15);
        for (int r = 0; r < REQUESTS; r++) {
            int i = random.nextInt(Scale.INGRESSES);
            int p = random.nextInt(Scale.PATHS_PER_HOST + 1);
            hosts[r] = SyntheticCluster.host(i) + (hostHeader.equals("bare") ? "" : ":8080");
            paths[r] = p == Scale.PATHS_PER_HOST ? "/other/" + r : SyntheticCluster.path(p) + (p == 0 ? "" : "/") + "items/" + r;
        }
        Decision d = table.route(hosts[0], paths[0], false, ANY);
        if (!(d instanceof Decision.Forward)) {
            throw new IllegalStateException("the fixture does not route: " + d);
        }
    }

    @Benchmark
    public Decision route() {
        int r = next;
        next = (r + 1) & (REQUESTS - 1);
        return table.route(hosts[r], paths[r], false, ANY);
    }
}
