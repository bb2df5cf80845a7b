package dev.signalbox.launcher;

import dev.signalbox.launcher.bench.ClusterCompileBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/ingress bench-clusters}: the compile at many clusters with merged Services, printed (issue 14). */
@Command(name = "bench-clusters", header = "Measures the compile of many clusters' merged Services (no broker).",
        mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Builds the model of --clusters clusters, each with the same --ingresses Ingresses to Services exported"
            + " in every cluster (--endpoints ready endpoints each), and prints the fold, the full compile with its content"
            + " hash, and the compile after one endpoint of one cluster changed (median and max).")
final class BenchClustersCommand implements Callable<Integer> {
    @Option(names = "--clusters", defaultValue = "10", paramLabel = "N", description = "Clusters.")
    int clusters;

    @Option(names = "--ingresses", defaultValue = "1000", paramLabel = "N", description = "Ingresses per cluster.")
    int ingresses;

    @Option(names = "--endpoints", defaultValue = "10", paramLabel = "N", description = "Ready endpoints per Service per cluster.")
    int endpoints;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "N", description = "Compiles before measuring.")
    int warmup;

    @Option(names = "--rounds", defaultValue = "20", paramLabel = "N", description = "Compiles measured.")
    int rounds;

    @Override
    public Integer call() {
        ClusterCompileBenchmark.run(new ClusterCompileBenchmark.Settings(clusters, ingresses, endpoints, warmup, rounds),
                System.out);
        return 0;
    }
}
