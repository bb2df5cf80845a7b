package dev.signalbox.proxy.metrics;

import dev.signalbox.observability.Exposition;
import dev.signalbox.proxy.accesslog.AccessLog;
import dev.signalbox.proxy.accesslog.AccessLogConfig;
import dev.signalbox.proxy.status.NodeStatus;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The proxy's metrics, named for Prometheus: requests by route, status and locality, latency by route (a
 * fixed-bucket histogram),
 * upstream errors by route and
 * kind, backend connections opened, retries and outlier ejections, the applied snapshot version and
 * snapshot decode failures, whether Kafka is reachable, whether the node is draining, client connections open,
 * idle upstream connections pooled, TLS handshakes. Written by the Prometheus Java client ({@link Exposition}); the
 * request duration keeps its own striped histogram ({@link LatencyHistogram}), exposed through a collector, because
 * the client's histogram counts every observation in one shared atomic. Thread-safe.
 */
public final class ProxyMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ConcurrentHashMap<String, RouteSeries> routes = new ConcurrentHashMap<>();
    private volatile Supplier<List<String>> tlsProblems = List::of;
    private volatile AccessLog accessLog = AccessLog.OFF;
    // withoutExemplars: no trace sampling on a request's path (the Prometheus client would look for a span each time).
    private final Counter requests = Counter.builder().withoutExemplars().name("signalbox_requests_total")
            .help("Requests answered, by route (host/path of the matched rule, or (none)), status code and locality")
            .labelNames("route", "code", "locality").register(registry);
    private final Counter upstreamErrors = Counter.builder().name("signalbox_upstream_errors_total")
            .help("Failures talking to a backend, by route and kind").labelNames("route", "kind").register(registry);
    private final Counter connectionsOpened = Counter.builder().name("signalbox_upstream_connections_opened_total")
            .help("Backend connections opened").register(registry);
    private final Counter retries = Counter.builder().name("signalbox_upstream_retries_total")
            .help("Requests sent again to another endpoint, by route and reason").labelNames("route", "reason")
            .register(registry);
    private final Counter clientTimeouts = Counter.builder().name("signalbox_client_timeouts_total")
            .help("Client connections closed by a timeout, by kind (header, keepalive)").labelNames("kind")
            .register(registry);
    private final Counter proxyProtocolRejected = Counter.builder().name("signalbox_proxy_protocol_rejected_total")
            .help("Connections closed for not starting with a valid PROXY protocol header").register(registry);
    private final Counter ejections = Counter.builder().name("signalbox_outlier_ejections_total")
            .help("Endpoints ejected by outlier detection").register(registry);
    private final Counter handshakes = Counter.builder().withoutExemplars().name("signalbox_tls_handshakes_total")
            .help("TLS handshakes with clients on the HTTPS port, by result (success, failure)").labelNames("result")
            .register(registry);
    private final Counter accessLogLines = Counter.builder().name("signalbox_access_log_lines_total")
            .help("Access log lines written").register(registry);
    private final Counter accessLogDropped = Counter.builder().name("signalbox_access_log_dropped_total")
            .help("Access log lines dropped because the writer fell behind (the request was not delayed)")
            .register(registry);
    private final CounterDataPoint handshakeSuccess = handshakes.labelValues("success");
    private final CounterDataPoint handshakeFailure = handshakes.labelValues("failure");

    public ProxyMetrics(LongSupplier appliedVersion, LongSupplier decodeFailures) {
        gauge("signalbox_applied_snapshot_version", "The version of the routing snapshot this node serves (0 before the first)",
                appliedVersion::getAsLong);
        gauge("signalbox_snapshot_decode_failures", "Snapshot records this node could not decode since it started",
                decodeFailures::getAsLong);
        registry.register(new RouteDurations());
    }

    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
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
        return new RouteSeries(route, new LatencyHistogram());
    }

    /**
     * {@code signalbox_request_duration_seconds{route}}: each route's {@link LatencyHistogram} as a Prometheus
     * histogram with the same fixed buckets on every node, so that quantiles aggregate across a fleet.
     */
    private final class RouteDurations implements Collector {
        private static final double[] BOUNDS = LatencyHistogram.upperBounds();

        @Override
        public MetricSnapshot collect() {
            HistogramSnapshot.Builder b = HistogramSnapshot.builder().name("signalbox_request_duration_seconds")
                    .help("Time from a request's head to the last byte of its response, by route");
            new TreeMap<>(routes).forEach((route, series) -> {
                LatencyHistogram h = series.duration();
                b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .labels(Labels.of("route", route))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, h.counts()))
                        .sum(h.sumSeconds()).build());
            });
            return b.build();
        }

        @Override
        public String getPrometheusName() {
            return "signalbox_request_duration_seconds";
        }
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

        CounterDataPoint requests(int status, String locality) {
            for (CodeCounter c : counters) {
                if (c.status() == status && c.locality().equals(locality)) {
                    return c.counter();
                }
            }
            return add(status, locality);
        }

        private synchronized CounterDataPoint add(int status, String locality) {
            for (CodeCounter c : counters) {
                if (c.status() == status && c.locality().equals(locality)) {
                    return c.counter();
                }
            }
            CounterDataPoint counter = requests.labelValues(route, Integer.toString(status), locality);
            CodeCounter[] grown = Arrays.copyOf(counters, counters.length + 1);
            grown[grown.length - 1] = new CodeCounter(status, locality, counter);
            counters = grown;
            return counter;
        }
    }

    private record CodeCounter(int status, String locality, CounterDataPoint counter) {
    }

    /**
     * {@code kind}: connect_refused, connect_timeout, response_timeout, closed, no_endpoints; tls_handshake (a
     * backend TLS handshake failed or the backend sent an alert after it), tls_config (this node cannot use
     * the backend's TLS settings).
     */
    public void upstreamError(String route, String kind) {
        upstreamErrors.labelValues(route, kind).inc();
    }

    public void backendConnectionOpened() {
        connectionsOpened.inc();
    }

    /** A request sent again, to another endpoint; {@code reason}: connect_failure. */
    public void retry(String route, String reason) {
        retries.labelValues(route, reason).inc();
    }

    /**
     * A client connection closed by one of our timeouts: {@code kind} header (no whole request head within
     * {@code --client-header-timeout}) or keepalive (idle longer than {@code --keepalive-timeout}).
     */
    public void clientTimeout(String kind) {
        clientTimeouts.labelValues(kind).inc();
    }

    /**
     * A connection closed because it did not start with a valid PROXY protocol header ({@code --proxy-protocol}).
     */
    public void proxyProtocolRejected() {
        proxyProtocolRejected.inc();
    }

    /** An endpoint was ejected by outlier detection. */
    public void outlierEjection() {
        ejections.inc();
    }

    /** How many endpoints are ejected now. */
    public void ejectedEndpoints(LongSupplier count) {
        gauge("signalbox_outlier_ejected_endpoints", "Endpoints ejected now", count::getAsLong);
    }

    /**
     * The node's status: {@code signalbox_kafka_reachable} (1 or 0), {@code signalbox_kafka_last_contact_age_seconds}
     * and {@code signalbox_snapshot_applied_age_seconds} (NaN before the first), {@code signalbox_draining} (1 or 0).
     */
    public void status(NodeStatus status) {
        gauge("signalbox_kafka_reachable", "1 while a Kafka broker answers this node, else 0",
                () -> status.feedView().kafkaReachable() ? 1 : 0);
        gauge("signalbox_kafka_last_contact_age_seconds", "Time since a broker last answered (NaN before the first)",
                () -> age(status.feedView().lastContact(), status));
        gauge("signalbox_snapshot_applied_age_seconds", "Time since this node applied a snapshot (NaN before the first)",
                () -> age(status.feedView().lastApplied(), status));
        gauge("signalbox_draining", "1 while this node drains on its way out, else 0", () -> status.draining() ? 1 : 0);
    }

    private static double age(Instant then, NodeStatus status) {
        return then == null ? Double.NaN : Duration.between(then, status.clock().instant()).toMillis() / 1000.0;
    }


    /**
     * Diagnostics in the applied snapshot (rejected objects, unknown Services, invalid paths...): a rise
     * means some object is not routed as written; /routes says which.
     */
    public void snapshotDiagnostics(LongSupplier count) {
        gauge("signalbox_snapshot_diagnostics", "Diagnostics in the applied snapshot", count::getAsLong);
    }

    /**
     * The TLS bindings of the applied snapshot this node could not use (a key it cannot open: host refused;
     * a certificate that does not load: default certificate), and its TLS backends whose settings it cannot
     * use (a client key it cannot open: 502), one sentence each; counted in
     * {@code signalbox_tls_unusable_bindings} and listed in /routes.
     */
    public void tlsUnusableBindings(Supplier<List<String>> problems) {
        this.tlsProblems = problems;
        gauge("signalbox_tls_unusable_bindings", "TLS bindings and backend TLS settings of the applied snapshot this node"
                + " cannot use", () -> problems.get().size());
    }

    /** This node's own diagnostics about the applied snapshot: TLS bindings it could not use. */
    public List<String> tlsProblems() {
        return tlsProblems.get();
    }

    /** Client connections open now, on the HTTP and HTTPS ports. */
    public void activeConnections(LongSupplier count) {
        gauge("signalbox_client_connections", "Client connections open now (HTTP and HTTPS ports)", count::getAsLong);
    }

    /** Idle keep-alive connections to backends pooled now, all event loops. */
    public void upstreamIdleConnections(LongSupplier count) {
        gauge("signalbox_upstream_idle_connections", "Idle keep-alive connections to backends in the pools now",
                count::getAsLong);
    }

    /** A client TLS handshake on the HTTPS port completed ({@code success}) or failed. */
    public void tlsHandshake(boolean success) {
        (success ? handshakeSuccess : handshakeFailure).inc();
    }

    /** The access log every exchange of this node offers its entry to (sampled); off unless set at start. */
    public AccessLog accessLog() {
        return accessLog;
    }

    /** Opens the access log {@code config} asks for; its counters join this registry. Before the ports open. */
    public AccessLog openAccessLog(AccessLogConfig config) {
        accessLog = AccessLog.open(config, accessLogLines, accessLogDropped);
        return accessLog;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public String prometheusText() {
        return Exposition.text(registry);
    }
}
