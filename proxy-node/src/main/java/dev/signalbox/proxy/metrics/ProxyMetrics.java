package dev.signalbox.proxy.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.signalbox.proxy.status.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The proxy's metrics, named for Prometheus: requests and latency by route, upstream errors by route and
 * kind, backend connections opened, retries and outlier ejections, the applied snapshot version and
 * snapshot decode failures, whether Kafka is reachable, whether the node is draining. Thread-safe.
 */
public final class ProxyMetrics {
    private final MetricRegistry registry = new MetricRegistry();

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

    /** {@code kind}: connect_refused, connect_timeout, response_timeout, closed, no_endpoints. */
    public void upstreamError(String route, String kind) {
        registry.counter(MetricNames.name("signalbox_upstream_errors_total", "route", route, "kind", kind)).inc();
    }

    public void backendConnectionOpened() {
        registry.counter("signalbox_upstream_connections_opened_total").inc();
    }

    /** A request sent again, to another endpoint; {@code reason}: connect_failure. */
    public void retry(String route, String reason) {
        registry.counter(MetricNames.name("signalbox_upstream_retries_total", "route", route, "reason", reason)).inc();
    }

    /** An endpoint was ejected by outlier detection. */
    public void outlierEjection() {
        registry.counter("signalbox_outlier_ejections_total").inc();
    }

    /** How many endpoints are ejected now. */
    public void ejectedEndpoints(LongSupplier count) {
        registry.register("signalbox_outlier_ejected_endpoints", (Gauge<Long>) count::getAsLong);
    }

    /**
     * The node's status: {@code signalbox_kafka_reachable} (1 or 0), {@code signalbox_kafka_last_contact_age_seconds}
     * and {@code signalbox_snapshot_applied_age_seconds} (NaN before the first), {@code signalbox_draining} (1 or 0).
     */
    public void status(NodeStatus status) {
        registry.register("signalbox_kafka_reachable", (Gauge<Integer>) () -> status.feedView().kafkaReachable() ? 1 : 0);
        registry.register("signalbox_kafka_last_contact_age_seconds",
                (Gauge<Double>) () -> age(status.feedView().lastContact(), status));
        registry.register("signalbox_snapshot_applied_age_seconds",
                (Gauge<Double>) () -> age(status.feedView().lastApplied(), status));
        registry.register("signalbox_draining", (Gauge<Integer>) () -> status.draining() ? 1 : 0);
    }

    private static double age(Instant then, NodeStatus status) {
        return then == null ? Double.NaN : Duration.between(then, status.clock().instant()).toMillis() / 1000.0;
    }

    /** How many TLS bindings of the applied snapshot could not be loaded (their hosts get the default certificate). */
    public void tlsUnusableBindings(LongSupplier count) {
        registry.register("signalbox_tls_unusable_bindings", (Gauge<Long>) count::getAsLong);
    }

    public String prometheusText() {
        return PrometheusFormat.write(registry.getMetrics());
    }
}
