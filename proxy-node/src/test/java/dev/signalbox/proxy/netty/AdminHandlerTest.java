package dev.signalbox.proxy.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.proxy.status.FeedHealth;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {
    @Test
    void routesShowTheSnapshotWithDiagnosticsButNoPrivateKeys() throws Exception {
        RoutingTable table = new RoutingTable(List.of(), null, List.of(),
                List.of(new TlsBinding("a.test", "c/default/tls", "CERT",
                        new SealedKey("k7", KeyRing.ALGORITHM, "AAAAAAAAAAAAAAAA", "U0VBTEVE"))),
                List.of(new Diagnostic("c", "Ingress", "default", "bad", Diagnostic.Severity.ERROR, "no backend")));
        JsonNode json = Json.MAPPER.readTree(AdminHandler.routesJson(SnapshotCodec.create(3, Instant.EPOCH, List.of(),
                table), List.of("TLS refused for b.test"), Locality.DEFAULT));
        assertEquals("3 true CERT missing k7 no backend TLS refused for b.test", json.get("version").asLong() + " "
                + json.get("contentHash").asText().startsWith("sha256-tree:") + " "
                + json.at("/table/tls/0/certificatePem").asText() + " "
                + (json.at("/table/tls/0/privateKey").isMissingNode() ? "missing" : "PRESENT") + " "
                + json.at("/table/tls/0/privateKeyId").asText() + " "
                + json.at("/table/diagnostics/0/message").asText() + " "
                + json.at("/nodeDiagnostics/0").asText());
    }

    @Test
    void routesShowABackendsTlsSettingsWithoutItsClientKey() throws Exception {
        UpstreamTls tls = new UpstreamTls("web.ns.svc", true, "c/ns/client", "CA", "CLIENT",
                new SealedKey("k8", KeyRing.ALGORITHM, "AAAAAAAAAAAAAAAA", "U0VBTEVE"));
        Backend b = new Backend(Backend.idOf("c", "ns", "web", "443", tls), "c", "ns", "web", "443",
                List.of(new Endpoint("10.0.0.1", 8443)), null, tls);
        JsonNode json = Json.MAPPER.readTree(AdminHandler.routesJson(SnapshotCodec.create(4, Instant.EPOCH, List.of(),
                new RoutingTable(List.of(), b.id(), List.of(b), List.of(), List.of())), List.of(), Locality.DEFAULT));
        assertEquals("web.ns.svc CLIENT missing k8", json.at("/table/backends/0/tls/serverName").asText() + " "
                + json.at("/table/backends/0/tls/clientCertificatePem").asText() + " "
                + (json.at("/table/backends/0/tls/clientKey").isMissingNode() ? "missing" : "PRESENT") + " "
                + json.at("/table/backends/0/tls/clientKeyId").asText());
    }

    @Test
    void routesShowWhereTheNodeAndEachEndpointRun() throws Exception {
        Backend b = new Backend(Backend.idOf("c", "ns", "web", "80"), "c", "ns", "web", "80",
                List.of(new Endpoint("10.0.0.1", 80, null, "z1"), new Endpoint("10.0.0.2", 80, null, null),
                        new Endpoint("10.1.0.1", 80, "c2", "z1")), null);
        JsonNode json = Json.MAPPER.readTree(AdminHandler.routesJson(SnapshotCodec.create(5, Instant.EPOCH, List.of(),
                new RoutingTable(List.of(), b.id(), List.of(b), List.of(), List.of())), List.of(),
                new Locality("c", "z1", Locality.Policy.PREFER_LOCAL)));
        List<String> endpoints = new java.util.ArrayList<>();
        json.at("/table/backends/0/endpoints").forEach(e -> endpoints.add(e.path("address").asText() + " "
                + e.path("cluster").asText() + " " + e.path("zone").asText("-") + " " + e.path("locality").asText()));
        assertEquals(List.of("c z1 prefer-local", "10.0.0.1 c z1 local-zone", "10.0.0.2 c - local-cluster",
                        "10.1.0.1 c2 z1 remote"),
                java.util.stream.Stream.concat(java.util.stream.Stream.of(json.at("/nodeLocality/cluster").asText() + " "
                        + json.at("/nodeLocality/zone").asText() + " " + json.at("/nodeLocality/policy").asText()),
                        endpoints.stream()).toList());
    }

    @Test
    void routesBeforeAnySnapshotShowVersionZero() throws Exception {
        assertEquals(0, Json.MAPPER.readTree(AdminHandler.routesJson(null, List.of(), Locality.DEFAULT)).get("version").asLong());
    }

    @Test
    void readyzSaysWhetherItServesAndWhetherKafkaAnswers() throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        String reachable = AdminHandler.readyJson(7, false, new FeedHealth.View(true, t, null, 7, t.minusSeconds(5)));
        assertEquals("{\"ready\":true,\"status\":\"ready\",\"snapshotVersion\":7,\"snapshotAppliedAt\":\"2025-12-31T23:59:55Z\","
                + "\"kafka\":{\"reachable\":true,\"lastContactAt\":\"2026-01-01T00:00:00Z\",\"unreachableSince\":null}}",
                reachable);
        JsonNode draining = Json.MAPPER.readTree(AdminHandler.readyJson(7, true, new FeedHealth.View(false, t, t, 7, t)));
        assertEquals("false draining false 2026-01-01T00:00:00Z", draining.get("ready").asBoolean() + " "
                + draining.get("status").asText() + " "
                + draining.at("/kafka/reachable").asBoolean() + " " + draining.at("/kafka/unreachableSince").asText());
        JsonNode none = Json.MAPPER.readTree(AdminHandler.readyJson(0, false, new FeedHealth.View(false, null, t, 0, null)));
        assertEquals("false no-snapshot", none.get("ready").asBoolean() + " " + none.get("status").asText());
    }
}
