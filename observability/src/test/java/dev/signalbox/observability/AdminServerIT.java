package dev.signalbox.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.testing.Http;
import dev.signalbox.testing.PrometheusText;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AdminServerIT {
    @Test
    void servesHealthReadinessAndMetricsThatPrometheusParses() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter c = Counter.builder().name("signalbox_test_events_total").help("events").labelNames("kind")
                .register(registry);
        c.labelValues("say \"hi\"\nback\\slash").inc(3);
        Histogram.builder().name("signalbox_test_duration_seconds").help("durations").classicOnly()
                .classicUpperBounds(0.01, 0.1).register(registry).observe(0.05);
        AtomicBoolean ready = new AtomicBoolean();
        try (AdminServer admin = AdminServer.start("test", "127.0.0.1", 0, registry,
                () -> new Health(ready.get(), ready.get() ? "ready" : "not-synced", Map.of("epoch", 7)))) {
            assertEquals(200, Http.get(admin.port(), null, "/healthz").statusCode());
            HttpResponse<String> notReady = Http.get(admin.port(), null, "/readyz");
            assertEquals(503, notReady.statusCode());
            assertEquals("{\"epoch\":7,\"ready\":false,\"status\":\"not-synced\"}\n", notReady.body());
            ready.set(true);
            assertEquals(200, Http.get(admin.port(), null, "/readyz").statusCode());

            HttpResponse<String> metrics = Http.get(admin.port(), null, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            PrometheusText.Exposition e = PrometheusText.parse(metrics.body());
            assertEquals(3.0, e.value("signalbox_test_events_total", "kind", "say \"hi\"\nback\\slash"));
            assertEquals(1.0, e.value("signalbox_test_duration_seconds_bucket", "le", "0.1"));
            assertEquals(0.0, e.value("signalbox_test_duration_seconds_bucket", "le", "0.01"));
            String lint = PrometheusText.promtool(metrics.body());
            System.out.println(lint == null ? "promtool not installed: parsed by PrometheusText only"
                    : "promtool check metrics: " + (lint.isEmpty() ? "clean" : lint));
            assertEquals(404, Http.get(admin.port(), null, "/nothing").statusCode());
        }
    }

    @Test
    void anActionRunsOnPostOnlyAndAnswersWhatItDid() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        try (AdminServer admin = AdminServer.start("test", "127.0.0.1", 0, new PrometheusRegistry(),
                () -> new Health(true, "ready", Map.of()))) {
            admin.action("/snapshot/whole", () -> "requested " + runs.incrementAndGet());
            HttpResponse<String> get = Http.get(admin.port(), null, "/snapshot/whole");
            assertEquals(List.of(405, "POST", 0), List.of(get.statusCode(), get.headers().firstValue("Allow").orElse(""), runs.get()));
            HttpResponse<String> post = Http.post(admin.port(), "127.0.0.1", "/snapshot/whole", new byte[0]);
            assertEquals(List.of(200, "requested 1\n"), List.of(post.statusCode(), post.body()));
        }
    }
}
