package dev.signalbox.compiler;

import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingTable;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * One compiler's metrics, in a registry of its own (local mode runs several components in one JVM): whether it
 * is the active compiler, how far its model is behind the events topic, how long a compile takes, the last
 * snapshot's version, size and chunks, its diagnostics by severity, and the transactions it had to abandon.
 * Served on its admin port ({@code /metrics}). The setters are the hooks the election ({@link #active}) and the
 * publish path ({@link #snapshotWritten}) call. Thread-safe.
 */
public final class CompilerMetrics {
    /** A compile is milliseconds for hundreds of Ingresses, about a second at 10,000 (docs/benchmarks.md). */
    private static final double[] COMPILE_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge active = Gauge.builder().name("signalbox_compiler_active")
            .help("1 while this compiler holds the lease and publishes, 0 while it stands by").register(registry);
    private final Gauge caughtUp = Gauge.builder().name("signalbox_compiler_model_current")
            .help("1 once the active compiler's model has read every event committed when its term began")
            .register(registry);
    private final Gauge lag = Gauge.builder().name("signalbox_compiler_events_lag")
            .help("Events committed to the events topic and not yet applied to the model (records, all partitions)")
            .register(registry);
    private final Histogram compile = Histogram.builder().name("signalbox_compiler_compile_duration_seconds")
            .help("Time to compile the cluster model into a routing table").classicOnly()
            .classicUpperBounds(COMPILE_BUCKETS).register(registry);
    private final Counter wholeCompiles = Counter.builder().name("signalbox_compiler_whole_compiles_total")
            .help("Compiles of the whole model: a life's first (unless it starts from the latest snapshot's table, "
                    + "compiled by the same build) and each after a change other than EndpointSlices'; the others "
                    + "rebuild only the changed Services' backends").register(registry);
    private final Gauge version = Gauge.builder().name("signalbox_compiler_snapshot_version")
            .help("The version of the last snapshot this compiler published (0 before its first)").register(registry);
    private final Gauge bytes = Gauge.builder().name("signalbox_compiler_snapshot_bytes")
            .help("Encoded size of the last version this compiler wrote (whole or as a delta), before compression").register(registry);
    private final Gauge chunks = Gauge.builder().name("signalbox_compiler_snapshot_chunks")
            .help("Chunk records of the last version this compiler wrote").register(registry);
    private final Counter written = Counter.builder().name("signalbox_compiler_snapshot_bytes_written_total")
            .help("Encoded snapshot bytes written (whole versions and deltas), before compression").register(registry);
    private final Gauge diagnostics = Gauge.builder().name("signalbox_compiler_diagnostics")
            .help("Diagnostics in the last compiled table, by severity").labelNames("severity").register(registry);
    private final Counter aborts = Counter.builder().name("signalbox_compiler_transaction_aborts_total")
            .help("Terms of the compiler that ended with a transaction left to be aborted, by reason (fenced, error)")
            .labelNames("reason").register(registry);

    public CompilerMetrics() {
        for (Diagnostic.Severity s : Diagnostic.Severity.values()) {
            diagnostics.labelValues(severity(s)).set(0);
        }
        aborts.labelValues("fenced");
        aborts.labelValues("error");
    }

    /** This compiler became active ({@code true}) or went back to standby. */
    public void active(boolean isActive) {
        active.set(isActive ? 1 : 0);
        if (!isActive) {
            caughtUp.set(0);
        }
    }

    /** Whether the active compiler's model is current (caught up with the events log). */
    public void modelCurrent(boolean current) {
        caughtUp.set(current ? 1 : 0);
    }

    /** Events not yet applied to the model. */
    public void eventsLag(long records) {
        lag.set(records);
    }

    /** One compile took {@code nanos} and gave {@code table}; {@code whole}: it compiled the whole model. */
    public void compiled(long nanos, RoutingTable table, boolean whole) {
        compile.observe(nanos / 1e9);
        if (whole) {
            wholeCompiles.inc();
        }
        long errors = table.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        diagnostics.labelValues(severity(Diagnostic.Severity.ERROR)).set(errors);
        diagnostics.labelValues(severity(Diagnostic.Severity.WARNING)).set(table.diagnostics().size() - errors);
    }

    /** A snapshot of {@code encodedBytes} in {@code chunkCount} chunk records was written (in a transaction). */
    public void snapshotWritten(long encodedBytes, int chunkCount) {
        bytes.set(encodedBytes);
        chunks.set(chunkCount);
        written.inc(encodedBytes);
    }

    /** Version {@code v} was committed. */
    public void published(long v) {
        version.set(v);
    }

    /** A term ended with its transaction left open (the next {@code initTransactions()} aborts it). */
    public void aborted(String reason) {
        aborts.labelValues(reason).inc();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    private static String severity(Diagnostic.Severity s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }
}
