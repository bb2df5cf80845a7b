package dev.signalbox.e2e.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.PrometheusText;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.schemas.codec.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every component of a running pipeline (local mode: watcher, compiler, proxy) as Prometheus sees it: each admin
 * port answers /healthz and /readyz, and its /metrics parses ({@link PrometheusText}, and promtool where it is
 * installed) and holds the series an operator's dashboards need.
 */
class MetricsIT {
    private static final Manifests MANIFESTS = new Manifests("obs");
    private static final Duration WAIT = Duration.ofSeconds(30);

    static final List<String> WATCHER = List.of("signalbox_watcher_leader", "signalbox_watcher_epoch",
            "signalbox_watcher_events_published_total", "signalbox_watcher_publish_duration_seconds_bucket",
            "signalbox_watcher_informer_relists_total", "signalbox_watcher_takeovers_total",
            "signalbox_watcher_takeover_reconcile_differences_total", "signalbox_watcher_source_synced");
    static final List<String> COMPILER = List.of("signalbox_compiler_active", "signalbox_compiler_model_current",
            "signalbox_compiler_events_lag", "signalbox_compiler_compile_duration_seconds_bucket",
            "signalbox_compiler_snapshot_version", "signalbox_compiler_snapshot_bytes", "signalbox_compiler_snapshot_chunks",
            "signalbox_compiler_diagnostics", "signalbox_compiler_transaction_aborts_total");
    static final List<String> PROXY = List.of("signalbox_requests_total", "signalbox_request_duration_seconds_bucket",
            "signalbox_applied_snapshot_version", "signalbox_kafka_reachable", "signalbox_client_connections",
            "signalbox_upstream_idle_connections", "signalbox_tls_handshakes_total", "signalbox_upstream_connections_opened_total");

    @Test
    void everyComponentServesProbesAndMetricsThatParse(@TempDir Path dir) throws IOException {
        try (EchoBackend a = EchoBackend.start("a")) {
            Files.writeString(dir.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(dir.resolve("services.yaml"), MANIFESTS.service("svc-a", a.port()));
            Files.writeString(dir.resolve("app.yaml"), MANIFESTS.ingress("app", "app.local", "/", "svc-a"));
            LocalConfig config = LocalConfig.onFreePorts(dir, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode proxy = local.proxies().get(0);
                Await.value("app.local served", WAIT, () -> Http.get(proxy.httpPort(), "app.local", "/x").statusCode(),
                        s -> s == 200);

                PrometheusText.Exposition watcher = scrape("watcher", local.watcherAdminPort(), "leading", WATCHER);
                assertEquals(1.0, watcher.value("signalbox_watcher_leader"));
                assertTrue(watcher.value("signalbox_watcher_events_published_total", "kind", "Ingress", "op", "upsert") >= 1,
                        "the Ingress was published");
                assertEquals(1.0, watcher.value("signalbox_watcher_takeovers_total"));

                PrometheusText.Exposition compiler = scrape("compiler", local.compilerAdminPort(), "active", COMPILER);
                assertEquals(1.0, compiler.value("signalbox_compiler_active"));
                assertEquals(1.0, compiler.value("signalbox_compiler_model_current"), "ready means its model is current");
                assertEquals(proxy.appliedVersion(), (long) compiler.value("signalbox_compiler_snapshot_version"));
                assertTrue(compiler.value("signalbox_compiler_snapshot_bytes") > 0);
                assertTrue(compiler.value("signalbox_compiler_compile_duration_seconds_count") >= 1);

                PrometheusText.Exposition p = scrape("proxy", proxy.adminPort(), "ready", PROXY);
                assertTrue(p.sum("signalbox_requests_total", "route", "app.local/", "code", "200") >= 1,
                        "the request through the proxy is counted");
                assertTrue(p.value("signalbox_request_duration_seconds_count", "route", "app.local/") >= 1, "and timed");
                // The test's client keeps its connection, the proxy pools its backend connection after the response.
                assertTrue(p.value("signalbox_client_connections") >= 1, "client connections open");
                assertTrue(p.value("signalbox_upstream_idle_connections") >= 1, "backend connections pooled");

                // The dashboard names only metrics that these components export (every sample name they serve).
                Set<String> exported = new TreeSet<>();
                for (PrometheusText.Exposition e : List.of(watcher, compiler, p)) {
                    e.samples().forEach(s -> exported.add(s.name()));
                }
                Set<String> named = dashboardMetricNames(DASHBOARD);
                assertTrue(named.size() >= 15, "the dashboard's queries name " + named);
                Set<String> unknown = new TreeSet<>(named);
                unknown.removeAll(exported);
                assertEquals(Set.of(), unknown, "dashboard metrics no component exports (exported: " + exported + ")");
                System.out.println("dashboard: " + named.size() + " metrics named by its queries, all exported: " + named);
                // Each query is PromQL that Prometheus parses (Grafana's $__rate_interval is a range such as 5m).
                List<String> queries = dashboardQueries(DASHBOARD).stream().map(q -> q.replace("$__rate_interval", "5m")).toList();
                String promql = PrometheusText.promql(queries);
                assertTrue(promql == null || promql.isEmpty(), "dashboard queries promtool cannot parse: " + promql);
                System.out.println("dashboard: " + queries.size() + " queries, " + (promql == null
                        ? "promtool not installed: PromQL not checked" : "promtool check rules: every one parses"));
            }
        }
    }

    static final Path DASHBOARD = Path.of(System.getProperty("user.dir"))
            .resolve("../deploy/grafana/signalbox-dashboard.json").normalize();

    /** The PromQL of every query of the dashboard's panels. */
    static List<String> dashboardQueries(Path dashboard) throws IOException {
        List<String> queries = new java.util.ArrayList<>();
        for (JsonNode panel : Json.MAPPER.readTree(dashboard.toFile()).get("panels")) {
            panel.get("targets").forEach(t -> queries.add(t.get("expr").asText()));
        }
        return queries;
    }

    /** Every Signalbox metric name in the PromQL of the dashboard's panels (each panel must have a query). */
    static Set<String> dashboardMetricNames(Path dashboard) throws IOException {
        JsonNode root = Json.MAPPER.readTree(dashboard.toFile());
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\bsignalbox_[a-z0-9_]+").matcher("");
        for (JsonNode panel : root.get("panels")) {
            assertTrue(panel.get("targets").size() > 0, "panel " + panel.get("title") + " has a query");
            for (JsonNode target : panel.get("targets")) {
                m.reset(target.get("expr").asText());
                boolean any = false;
                while (m.find()) {
                    names.add(m.group());
                    any = true;
                }
                assertTrue(any, "panel " + panel.get("title") + ": " + target.get("expr") + " names a Signalbox metric");
            }
        }
        return names;
    }

    /**
     * /healthz answers 200, /readyz 200 with {@code "ready":true} and {@code status}, and /metrics parses (and passes
     * promtool's lint where it is installed) and holds {@code names}.
     */
    private static PrometheusText.Exposition scrape(String component, int port, String status, List<String> names)
            throws IOException {
        assertEquals(200, Http.get(port, null, "/healthz").statusCode(), component + " /healthz");
        HttpResponse<String> ready = Await.value(component + " ready", WAIT, () -> Http.get(port, null, "/readyz"),
                r -> r.statusCode() == 200);
        JsonNode readyz = Json.MAPPER.readTree(ready.body());
        assertEquals(List.of(true, status), List.of(readyz.get("ready").asBoolean(), readyz.get("status").asText()),
                component + " /readyz: " + ready.body());
        System.out.println(component + " /readyz: " + ready.body().strip());
        String body = Http.get(port, null, "/metrics").body();
        PrometheusText.Exposition e = PrometheusText.parse(body);
        for (String name : names) {
            assertTrue(e.samples().stream().anyMatch(s -> s.name().equals(name)), component + " exports " + name + ":\n" + body);
        }
        String lint = PrometheusText.promtool(body);
        assertTrue(lint == null || lint.isEmpty(), component + ": promtool check metrics: " + lint);
        System.out.println(component + " /metrics: " + e.samples().size() + " samples; "
                + (lint == null ? "promtool not installed, parsed by PrometheusText" : "promtool check metrics: "
                + (lint.isEmpty() ? "clean" : lint)));
        System.out.println(component + " /metrics excerpt:\n" + body.lines()
                .filter(l -> !l.startsWith("#") && !l.contains("_bucket")).limit(40).reduce("", (x, y) -> x + "  " + y + "\n"));
        return e;
    }
}
