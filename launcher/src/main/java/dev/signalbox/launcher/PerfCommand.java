package dev.signalbox.launcher;

import dev.signalbox.launcher.bench.perf.PerfBenchmark;
import dev.signalbox.launcher.bench.perf.PerfCase;
import dev.signalbox.launcher.bench.perf.PerfSummary;
import dev.signalbox.launcher.bench.perf.Target;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code bin/ingress perf}: the data plane side by side with nginx and HAProxy (issue 16's benchmark). */
@Command(header = "The proxy's requests/s, latency and CPU per request beside nginx and HAProxy.", name = "perf",
        mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Starts an nginx backend, nginx and HAProxy as reverse proxies to it, local mode and a proxy",
            "alone, pins the load generator (wrk, h2load) to one core and the servers to the other, runs each case",
            "against each in turn, and prints the medians and Signalbox's ratios to the better anchor.",
            "Needs nginx, haproxy, wrk and h2load: apt-get install -y nginx haproxy wrk nghttp2-client.",
            "Progress goes to stderr, the table to stdout."})
final class PerfCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Runs of each case against each target (the median is shown).")
    int runs;

    @Option(names = "--duration", defaultValue = "10s", paramLabel = "DURATION", converter = Port.Span.class,
            description = "Length of each run (10s, 1m).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "30s", paramLabel = "DURATION", converter = Port.Span.class,
            description = "Load on each Signalbox target before measuring, for the JIT (anchors get up to 5 s); each case "
                    + "after the first also runs up to 10 s on it first.")
    Duration warmup;

    @Option(names = "--cases", paramLabel = "N[,N]", split = ",",
            description = "Which cases, by number; default all: "
                + "1 http/1.1 64 conns, 2 http/1.1 256 conns, 3 16 KiB, 4 1 MiB upload, 5 https, 6 h2 x1, 7 h2 x10, 8 fixed rate.")
    List<Integer> cases;

    @Option(names = "--targets", paramLabel = "T[,T]", split = ",",
            description = "Which targets: nginx, haproxy, signalbox-proxy, signalbox-local, signalbox-features (local "
                    + "mode whose table also holds many Ingresses with basic auth, auth-url, CORS and rate limits, loaded "
                    + "on the same plain route and compared with signalbox-local) (default all).")
    List<String> targets;

    @Option(names = "--client-core", defaultValue = "0", paramLabel = "N", description = "The core the load generator runs on.")
    int clientCore;

    @Option(names = "--server-core", defaultValue = "1", paramLabel = "N", description = "The core the backend and the proxy measured run on (the others wait on the client core).")
    int serverCore;

    @Option(names = "--jvm-options", defaultValue = PerfBenchmark.DEFAULT_JVM_OPTIONS, paramLabel = "OPTIONS",
            description = "JVM options of local mode and of the proxy.")
    String jvmOptions;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|io_uring|epoll|nio",
            converter = EventLoopOptions.PreferenceConverter.class,
            description = "The socket transport of local mode's and the proxy's event loops (their --transport).")
    dev.signalbox.proxy.netty.Transport.Preference transport;

    @Option(names = "--max-busy", defaultValue = "0.15", paramLabel = "SHARE",
            description = "Wait before a run while the machine is busier than this share (0..1) of both cores.")
    double maxBusy;

    @Option(names = "--max-wait", defaultValue = "2m", paramLabel = "DURATION", converter = Port.Span.class,
            description = "How long to wait for quiet before measuring anyway (and saying so).")
    Duration maxWait;

    @Override
    public Integer call() throws Exception {
        List<PerfCase> all = PerfCase.all();
        List<PerfCase> chosen = cases == null ? all : cases.stream().map(n -> {
            if (n < 1 || n > all.size()) {
                throw new ParameterException(spec.commandLine(), "--cases: no case " + n + " (1-" + all.size() + ")");
            }
            return all.get(n - 1);
        }).toList();
        List<Target> chosenTargets = targets == null ? List.of(Target.values()) : targets.stream().map(this::target).toList();
        Path home = Path.of(System.getProperty("signalbox.home", ".")).toAbsolutePath();
        List<PerfSummary.Row> rows = PerfBenchmark.run(new PerfBenchmark.Settings(home, chosen, chosenTargets, runs, duration,
                warmup, clientCore, serverCore, jvmOptions, maxBusy, maxWait, transport), System.err);
        PrintWriter out = spec.commandLine().getOut();
        TextTable table = new TextTable("CASE", "TARGET", "REQ/S", "P50 MS", "P99 MS", "ERRORS", "CPU US/REQ",
                "VS (req/s, cpu, p99)");
        for (PerfSummary.Row r : rows) {
            table.row(r.caseName(), r.target().label(), String.format(Locale.ROOT, "%,.0f", r.requestsPerSecond()),
                    String.format(Locale.ROOT, "%.3f", r.p50Ms()), String.format(Locale.ROOT, "%.3f", r.p99Ms()), r.errors(),
                    String.format(Locale.ROOT, "%.1f", r.cpuMicrosPerRequest()),
                    r.comparedWith() == null ? "" : String.format(Locale.ROOT, "%.2fx, %.2fx, %.2fx (%s)", r.throughputRatio(),
                            r.cpuRatio(), r.p99Ratio(), r.comparedWith().label()));
        }
        table.print(out);
        return 0;
    }

    private Target target(String name) {
        for (Target t : Target.values()) {
            if (t.option().equals(name)) {
                return t;
            }
        }
        throw new ParameterException(spec.commandLine(), "--targets: no target " + name
                + " (nginx, haproxy, signalbox-proxy, signalbox-local, signalbox-features)");
    }
}
