package dev.signalbox.proxy.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The proxy's metrics, named for Prometheus: requests and latency by route, upstream errors by route and
 * kind, backend connections opened, the applied snapshot version and snapshot decode failures. Thread-safe.
 */
public final class ProxyMetrics {
    private final MetricRegistry registry = new MetricRegistry();
    private volatile Supplier<List<String>> tlsProblems = List::of;

    public ProxyMetrics(LongSupplier appliedVersion, LongSupplier decodeFailures) {
        registry.register("signalbox_applied_snapshot_version", (Gauge<Long>) appliedVersion::getAsLong);
        registry.register("signalbox_snapshot_decode_failures", (Gauge<Long>) decodeFailures::getAsLong);
    }

    public void response(String route, int status, long nanos) {
        registry.counter(MetricNames.name("signalbox_requests_total", "route", route, "code",
                Integer.toString(status))).inc();
        registry.timer(MetricNames.name("signalbox_request_duration_seconds", "route", route))
                .update(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * {@code kind}: connect_refused, connect_timeout, response_timeout, closed, no_endpoints; tls_handshake (a
     * backend TLS handshake failed or the backend sent an alert after it), tls_config (this node cannot use
     * the backend's TLS settings).
     */
    public void upstreamError(String route, String kind) {
        registry.counter(MetricNames.name("signalbox_upstream_errors_total", "route", route, "kind", kind)).inc();
    }

    public void backendConnectionOpened() {
        registry.counter("signalbox_upstream_connections_opened_total").inc();
    }

    /**
     * The TLS bindings of the applied snapshot this node could not use (a key it cannot open: host refused;
     * a certificate that does not load: default certificate), and its TLS backends whose settings it cannot
     * use (a client key it cannot open: 502), one sentence each; counted in
     * {@code signalbox_tls_unusable_bindings} and listed in /routes.
     */
    public void tlsUnusableBindings(Supplier<List<String>> problems) {
        this.tlsProblems = problems;
        registry.register("signalbox_tls_unusable_bindings", (Gauge<Long>) () -> (long) problems.get().size());
    }

    /** This node's own diagnostics about the applied snapshot: TLS bindings it could not use. */
    public List<String> tlsProblems() {
        return tlsProblems.get();
    }

    public String prometheusText() {
        return PrometheusFormat.write(registry.getMetrics());
    }
}
