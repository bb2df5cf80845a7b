package dev.signalbox.e2e.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.e2e.Pipeline;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.Launcher;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's delta snapshots through the components on one broker, as a user runs them: 200 Ingresses published
 * whole, then endpoint changes published as deltas; a proxy started after them serves the current table (read from
 * the full snapshot and the deltas after it), and {@code bin/ingress show --at} a time between two deltas shows the
 * table of the version then in force, itself a delta.
 */
class DeltaSnapshotsIT {
    private static final Manifests MANIFESTS = new Manifests("delta");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int INGRESSES = 200;
    private static final int CHANGES = 3;

    @TempDir
    Path dir;

    @Test
    void aLateProxyAndTheAuditReadTheDeltasAfterTheFullSnapshot() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(); EchoBackend a = EchoBackend.start("A");
             EchoBackend b = EchoBackend.start("B")) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            write("class.yaml", Manifests.ingressClass());
            for (int i = 0; i < INGRESSES; i++) {
                write("app-" + i + ".yaml", app(i, a.port()));
            }
            try (Pipeline pipeline = Pipeline.start(bootstrap, "local", dir, 1)) {
                ProxyNode first = pipeline.proxies().get(0);
                Pipeline.awaitServed(first, host(0), WAIT);
                Pipeline.awaitServed(first, host(INGRESSES - 1), WAIT);
                List<Instant> after = new ArrayList<>();
                List<Long> versions = new ArrayList<>();
                for (int k = 0; k < CHANGES; k++) {
                    // Only the endpoints change: app-k's slice moves from A's port to B's.
                    write("app-" + k + ".yaml", app(k, b.port()));
                    int changed = k;
                    Await.until(host(k) + " served by B", WAIT, () -> backendOf(first, host(changed)).equals("B"));
                    versions.add(first.appliedVersion());
                    after.add(tick());
                }

                try (SnapshotLog log = SnapshotLog.connect(bootstrap, "delta-it")) {
                    List<SnapshotLog.Entry> all = log.read(log.beginningOffset(WAIT), log.endOffset(WAIT), 1000, WAIT);
                    assertEquals(null, all.get(0).delta(), "the first version is whole");
                    for (SnapshotLog.Entry e : all.subList(1, all.size())) {
                        assertTrue(e.delta() != null, "version " + e.snapshot().version() + " is a delta");
                    }
                    assertEquals(first.appliedVersion(), all.get(all.size() - 1).snapshot().version());
                }

                try (ProxyNode late = Pipeline.proxy(bootstrap, "late")) {
                    Await.until("the late proxy at version " + first.appliedVersion(), WAIT,
                            () -> late.appliedVersion() == first.appliedVersion());
                    for (int k = 0; k < CHANGES; k++) {
                        assertEquals("B", backendOf(late, host(k)), host(k));
                    }
                    assertEquals("A", backendOf(late, host(CHANGES)));
                    assertEquals("A", backendOf(late, host(INGRESSES - 1)));
                }

                // Between the second and the third change: the second's version, a delta, with app-1 on B's port.
                JsonNode shown = show(bootstrap, after.get(1));
                assertEquals(versions.get(1).longValue(), shown.path("version").asLong(), shown.toString());
                assertEquals(List.of(b.port()), endpointPorts(shown.path("table"), "app-1"));
                assertEquals(List.of(a.port()), endpointPorts(shown.path("table"), "app-2"));
            }
        }
    }

    private static String app(int i, int port) {
        return MANIFESTS.service("app-" + i, port) + "---\n" + MANIFESTS.ingress("app-" + i, host(i), "/", "app-" + i);
    }

    private static String host(int i) {
        return "app-" + i + ".delta.test";
    }

    /** The name of the echo backend that answered GET / for {@code host}, or "" when none did. */
    private static String backendOf(ProxyNode proxy, String host) {
        HttpResponse<String> r = Http.tryGet(proxy.httpPort(), host, "/");
        if (r == null || r.statusCode() != 200) {
            return "";
        }
        return r.body().lines().filter(l -> l.startsWith("backend: ")).map(l -> l.substring(9)).findFirst().orElse("");
    }

    private static List<Integer> endpointPorts(JsonNode table, String service) {
        List<Integer> ports = new ArrayList<>();
        for (JsonNode backend : table.path("backends")) {
            if (backend.path("service").asText().equals(service)) {
                backend.path("endpoints").forEach(e -> ports.add(e.path("port").asInt()));
            }
        }
        return ports;
    }

    private static JsonNode show(String bootstrap, Instant at) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute("show", "--kafka", bootstrap, "--output", "json", "--at", at.toString());
        assertEquals(0, status, err.toString());
        return Json.MAPPER.readTree(out.toString());
    }

    /** Now, once the clock has moved past it, so the next version is published strictly later. */
    private static Instant tick() {
        Instant t = Instant.now();
        Await.until("the clock past " + t, WAIT, () -> Instant.now().isAfter(t.plusMillis(10)));
        return t;
    }

    /** Writes aside and renames into place, as Kubernetes does for ConfigMap volumes. */
    private void write(String name, String text) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
