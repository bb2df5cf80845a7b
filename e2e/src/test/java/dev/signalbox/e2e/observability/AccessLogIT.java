package dev.signalbox.e2e.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.proxy.accesslog.AccessLogConfig;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.JsonLines;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy with {@code --access-log on --access-log-file F} joining a running pipeline: every request is one JSON line
 * with the fields an operator greps for, and X-Request-ID is kept when well formed, generated otherwise, sent to the
 * backend and echoed to the client, the same in all three places.
 */
class AccessLogIT {
    private static final Manifests MANIFESTS = new Manifests("logs");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void everyRequestIsOneJsonLineWithItsRequestId(@TempDir Path dir) throws IOException {
        Path logFile = dir.resolve("access.log");
        try (EchoBackend a = EchoBackend.start("a")) {
            Files.writeString(dir.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(dir.resolve("services.yaml"), MANIFESTS.service("svc-a", a.port()));
            Files.writeString(dir.resolve("app.yaml"), MANIFESTS.ingress("app", "app.local", "/", "svc-a"));
            LocalConfig config = LocalConfig.onFreePorts(dir, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config);
                 ProxyNode logged = ProxyNode.start(new ProxyConfig(local.bootstrapServers(), "logged", "127.0.0.1", 0, 0,
                         Duration.ofSeconds(2), Duration.ofSeconds(30)), new AccessLogConfig(1, logFile, 1024))) {
                Await.value("app.local served", WAIT, () -> Http.get(logged.httpPort(), "app.local", "/warm").statusCode(),
                        s -> s == 200);

                HttpResponse<String> kept = Http.get(logged.httpPort(), "app.local", "/kept?x=1", "X-Request-ID", "client-id-1");
                assertEquals("client-id-1", kept.headers().firstValue("X-Request-ID").orElse(null));
                assertTrue(kept.body().contains("header-x-request-id: client-id-1\n"), kept.body());

                HttpResponse<String> made = Http.get(logged.httpPort(), "app.local", "/made");
                String id = made.headers().firstValue("X-Request-ID").orElse("");
                assertTrue(id.matches("[0-9a-f]{32}"), id);
                assertTrue(made.body().contains("header-x-request-id: " + id + "\n"), made.body());

                HttpResponse<String> bad = Http.get(logged.httpPort(), "app.local", "/bad", "X-Request-ID", "a;b");
                String replaced = bad.headers().firstValue("X-Request-ID").orElse("");
                assertTrue(replaced.matches("[0-9a-f]{32}"), replaced);
                assertNotEquals(id, replaced);

                HttpResponse<String> missing = Http.get(logged.httpPort(), "nowhere.local", "/");
                assertEquals(404, missing.statusCode());
                String missingId = missing.headers().firstValue("X-Request-ID").orElse("");
                assertTrue(missingId.matches("[0-9a-f]{32}"), missingId);

                List<JsonNode> lines = Await.value("four more access log lines", WAIT, () -> JsonLines.read(logFile),
                        l -> l.stream().anyMatch(j -> j.get("request_id").asText().equals(missingId)));
                JsonNode k = lines.stream().filter(j -> j.get("path").asText().equals("/kept?x=1")).findFirst().orElseThrow();
                assertEquals("client-id-1", k.get("request_id").asText());
                assertEquals("GET", k.get("method").asText());
                assertEquals("app.local", k.get("host").asText());
                assertEquals(200, k.get("status").asInt());
                assertEquals("127.0.0.1", k.get("client").asText());
                assertEquals("127.0.0.1:" + a.port(), k.get("upstream").asText());
                assertEquals("app.local/", k.get("route").asText());
                assertEquals("local/logs/app", k.get("ingress").asText());
                assertEquals(logged.appliedVersion(), k.get("version").asLong());
                assertEquals(kept.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, k.get("bytes_out").asLong());
                assertEquals(0, k.get("bytes_in").asLong());
                assertTrue(k.get("duration_s").asDouble() >= k.get("upstream_duration_s").asDouble(), k.toString());
                assertTrue(k.get("upstream_duration_s").asDouble() > 0, k.toString());
                assertTrue(k.get("time").asText().endsWith("Z"), k.toString());
                JsonNode m = lines.stream().filter(j -> j.get("request_id").asText().equals(missingId)).findFirst().orElseThrow();
                assertEquals(404, m.get("status").asInt());
                assertTrue(m.get("upstream").isNull() && m.get("ingress").isNull(), m.toString());
                assertEquals(1, lines.stream().filter(j -> j.get("request_id").asText().equals(id)).count());

                // sample:4: about one request in four. Closing the proxy writes every line it queued.
                Path sampledFile = dir.resolve("sampled.log");
                int requests = 400;
                try (ProxyNode sampled = ProxyNode.start(new ProxyConfig(local.bootstrapServers(), "sampled", "127.0.0.1",
                        0, 0, Duration.ofSeconds(2), Duration.ofSeconds(30)), AccessLogConfig.parse("sample:4", sampledFile))) {
                    Await.until("the sampled proxy serves", WAIT, () -> sampled.appliedVersion() >= logged.appliedVersion());
                    for (int i = 0; i < requests; i++) {
                        assertEquals(200, Http.get(sampled.httpPort(), "app.local", "/sampled/" + i).statusCode());
                    }
                }
                List<JsonNode> sampledLines = JsonLines.read(sampledFile);
                // Binomial(400, 1/4): mean 100, standard deviation 8.7. 40..160 is seven deviations either way (a
                // random draw outside: below 1e-11), while logging every request (400) or none (0) is far outside.
                assertTrue(sampledLines.size() >= 40 && sampledLines.size() <= 160, sampledLines.size() + " lines of " + requests);
                assertTrue(sampledLines.stream().allMatch(j -> j.get("path").asText().startsWith("/sampled/")
                        && j.get("status").asInt() == 200), "only the requests sent, whole");
                System.out.println("sample:4: " + sampledLines.size() + " lines for " + requests + " requests");
            }
        }
    }
}
