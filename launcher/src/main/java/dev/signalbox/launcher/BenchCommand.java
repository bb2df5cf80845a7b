package dev.signalbox.launcher;

import dev.signalbox.launcher.bench.PropagationBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/ingress bench}: local mode's Ingress-change-to-served latency. */
@Command(header = "Ingress change -> served by every proxy, p50/p99.", name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Local mode's propagation latency: each change replaces an Ingress file, timed from the write to",
            "the first 200 for its new path on every proxy; prints p50/p90/p99/max of the counted changes."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--changes", defaultValue = "100", paramLabel = "N", description = "Counted changes.")
    int changes;

    @Option(names = "--proxies", defaultValue = "2", paramLabel = "N", description = "Proxies that must all serve a change.")
    int proxies;

    @Option(names = "--warmup", defaultValue = "200", paramLabel = "N", description = "Changes before the counted ones, reported apart.")
    int warmup;

    @Option(names = "--paths", defaultValue = "10", paramLabel = "N", description = "Paths the Ingress keeps (each change adds one, drops the oldest).")
    int paths;

    @Override
    public Integer call() throws Exception {
        PropagationBenchmark.run(new PropagationBenchmark.Settings(changes, warmup, proxies, paths));
        return 0;
    }
}
