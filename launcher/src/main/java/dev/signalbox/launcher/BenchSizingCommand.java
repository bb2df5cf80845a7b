package dev.signalbox.launcher;

import dev.signalbox.launcher.bench.SizingBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/ingress bench-sizing}: bytes per snapshot version and per event on a real broker. */
@Command(name = "bench-sizing", header = "Measures the bytes per snapshot version and per event (topic sizing).",
        mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Runs local mode (an embedded broker in a temporary directory, the manifests watcher, the compiler, "
            + "one proxy) on --ingresses Ingresses, each with a Service and an EndpointSlice, then changes one Ingress "
            + "--changes times; prints the topics' sizes on disk (describeLogDirs) per version and per event, and how "
            + "much history 100 GB holds. docs/benchmarks.md has the figures.")
final class BenchSizingCommand implements Callable<Integer> {
    @Option(names = "--ingresses", defaultValue = "1000", paramLabel = "N", description = "Ingresses in the table.")
    int ingresses;

    @Option(names = "--changes", defaultValue = "20", paramLabel = "N", description = "One-Ingress changes measured.")
    int changes;

    @Override
    public Integer call() throws Exception {
        SizingBenchmark.run(new SizingBenchmark.Settings(ingresses, changes), System.out);
        return 0;
    }
}
