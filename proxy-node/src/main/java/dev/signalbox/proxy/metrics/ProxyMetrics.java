package dev.signalbox.proxy.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.signalbox.proxy.status.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The proxy's metrics, named for Prometheus: requests by route, status and locality, latency by route (a
 * fixed-bucket histogram),
 * upstream errors by route and
 * kind, backend connections opened, retries and outlier ejections, the applied snapshot version and
 * snapshot decode failures, whether Kafka is reachable, whether the node is draining. Thread-safe.
 */
public final class ProxyMetrics {
    private final MetricRegistry registry = new MetricRegistry();
    private final ConcurrentHashMap<String, RouteSeries> routes = new ConcurrentHashMap<>();
    private volatile Supplier<List<String>> tlsProblems = List::of;

    public ProxyMetrics(LongSupplier appliedVersion, LongSupplier decodeFailures) {
        registry.register("signalbox_applied_snapshot_version", (Gauge<Long>) appliedVersion::getAsLong);
        registry.register("signalbox_snapshot_decode_failures", (Gauge<Long>) decodeFailures::getAsLong);
    }

    /** The {@code locality} of a request the proxy answered itself (404, 503, 400, a redirect). */
    public static final String NO_LOCALITY = "none";

    /**
     * A request answered: {@code signalbox_requests_total{route,code,locality}} and its duration by route.
     *
     * @param locality where the endpoint that served it (or was tried last) runs, as seen from this node:
     *                 local-zone, local-cluster or remote ({@code Locality.Tier.label()}); {@link #NO_LOCALITY}
     *                 when no endpoint was chosen. Four values, so the label adds at most four series per route
     *                 and code.
     */
    public void response(String route, String locality, int status, long nanos) {
        RouteSeries series = routes.get(route);
        if (series == null) {
            series = routes.computeIfAbsent(route, this::newRouteSeries);
        }
        series.requests(status, locality).inc();
        series.duration().record(nanos);
    }

    private RouteSeries newRouteSeries(String route) {
        LatencyHistogram duration = new LatencyHistogram();
        registry.register(MetricNames.name("signalbox_request_duration_seconds", "route", route), duration);
        return new RouteSeries(route, duration);
    }

    /**
     * One route's series, found with one map look-up per request instead of a name built per request: the
     * duration histogram, and the request counters by code and locality (a handful per route, in a small
     * array replaced whole when one is added, so a request reads it without a lock).
     */
    private final class RouteSeries {
        private final String route;
        private final LatencyHistogram duration;
        private volatile CodeCounter[] counters = new CodeCounter[0];

        RouteSeries(String route, LatencyHistogram duration) {
            this.route = route;
            this.duration = duration;
        }

        LatencyHistogram duration() {
            return duration;
        }

        Counter requests(int status, String locality) {
            for (CodeCounter c : counters) {
                if (c.status() == status && c.locality().equals(locality)) {
                    return c.counter();
                }
            }
            return add(status, locality);
        }

        private synchronized Counter add(int status, String locality) {
            Counter counter = registry.counter(MetricNames.name("signalbox_requests_total", "route", route, "code",
                    Integer.toString(status), "locality", locality));
            CodeCounter[] grown = Arrays.copyOf(counters, counters.length + 1);
            grown[grown.length - 1] = new CodeCounter(status, locality, counter);
            counters = grown;
            return counter;
        }
    }

    private record CodeCounter(int status, String locality, Counter counter) {
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

    /** A request sent again, to another endpoint; {@code reason}: connect_failure. */
    public void retry(String route, String reason) {
        registry.counter(MetricNames.name("signalbox_upstream_retries_total", "route", route, "reason", reason)).inc();
    }

    /**
     * A client connection closed by one of our timeouts: {@code kind} header (no whole request head within
     * {@code --client-header-timeout}) or keepalive (idle longer than {@code --keepalive-timeout}).
     */
    public void clientTimeout(String kind) {
        registry.counter(MetricNames.name("signalbox_client_timeouts_total", "kind", kind)).inc();
    }

    /**
     * A connection closed because it did not start with a valid PROXY protocol header ({@code --proxy-protocol}).
     */
    public void proxyProtocolRejected() {
        registry.counter("signalbox_proxy_protocol_rejected_total").inc();
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


    /**
     * Diagnostics in the applied snapshot (rejected objects, unknown Services, invalid paths...): a rise
     * means some object is not routed as written; /routes says which.
     */
    public void snapshotDiagnostics(LongSupplier count) {
        registry.register("signalbox_snapshot_diagnostics", (Gauge<Long>) count::getAsLong);
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
