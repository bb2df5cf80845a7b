package dev.signalbox.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps schemas/json/*.schema.json honest: encoded samples of every record must validate against them,
 * and a sample missing a required field must not. Additional properties are forbidden in the files, so a
 * field added to a record without adding it to its schema file fails here too.
 */
class JsonSchemaFilesTest {
    private static final String BASE = "https://signalbox.dev/schemas/";
    private static final Path DIR = Path.of(System.getProperty("basedir", "."), "json");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaMappers(m -> m.mapPrefix(BASE, DIR.toAbsolutePath().toUri().toString())));

    private record Case(String name, String schemaFile, JsonNode sample, Set<String> expectedErrors) {
    }

    @Test
    void encodedSamplesOfEveryRecordMatchTheirSchemaFiles() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (Map.Entry<String, ClusterEvent> e : new TreeMap<>(Samples.events()).entrySet()) {
            JsonNode event = Json.MAPPER.readTree(ClusterEventCodec.encode(e.getValue()));
            cases.add(valid("the event: " + e.getKey(), "cluster-event", event));
            if (event.has("state")) {
                cases.add(valid("the state alone: " + e.getKey(), "object-state", event.get("state")));
            }
        }
        JsonNode snapshot = Json.MAPPER.readTree(SnapshotCodec.encode(Samples.snapshot()));
        JsonNode table = snapshot.get("table");
        cases.add(valid("a full snapshot", "routing-snapshot", snapshot));
        cases.add(valid("a snapshot of the empty table", "routing-snapshot",
                Json.MAPPER.readTree(SnapshotCodec.encode(Samples.snapshot(1, dev.signalbox.schemas.snapshot.RoutingTable.EMPTY)))));
        cases.add(valid("a routing table", "routing-table", table));
        cases.add(valid("a virtual host", "virtual-host", table.get("virtualHosts").get(0)));
        cases.add(valid("a route", "route", table.get("virtualHosts").get(0).get("routes").get(0)));
        cases.add(valid("a regex route that rewrites", "route", table.get("virtualHosts").get(2).get("routes").get(0)));
        cases.add(valid("route options with limits", "route-options",
                table.get("virtualHosts").get(2).get("routes").get(0).get("options")));
        cases.add(valid("route options with a redirect", "route-options",
                table.get("virtualHosts").get(2).get("routes").get(1).get("options")));
        cases.add(valid("route options with a canary and sticky sessions", "route-options",
                Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(Samples.trafficOptions()))));
        cases.add(valid("route access with source ranges and basic auth", "route-access",
                table.get("virtualHosts").get(2).get("routes").get(2).get("options").get("access")));
        JsonNode headers = table.get("virtualHosts").get(1).get("routes").get(1).get("options").get("headers");
        cases.add(valid("CORS and response fields", "header-options", headers));
        cases.add(invalid("a response field carrying a line break", "header-options",
                with(headers, "response", Json.MAPPER.createArrayNode().add(Json.MAPPER.createObjectNode()
                        .put("name", "X-A").put("value", "a\r\nSet-Cookie: b"))),
                "pattern: $.response[0].value: does not match the regex pattern ^([!-~]([ \\t]*[!-~])*)?$"));
        cases.add(invalid("CORS without its origins", "header-options",
                with(headers, "cors", without(headers.get("cors"), "allowOrigins")), "required"));
        cases.add(valid("a backend with endpoints", "backend", table.get("backends").get(0)));
        cases.add(valid("a backend without endpoints", "backend", table.get("backends").get(1)));
        cases.add(valid("a backend over TLS with a client certificate", "backend", table.get("backends").get(2)));
        cases.add(valid("upstream TLS settings", "upstream-tls", table.get("backends").get(2).get("tls")));
        cases.add(valid("an endpoint", "endpoint", table.get("backends").get(0).get("endpoints").get(0)));
        cases.add(valid("a TLS binding", "tls-binding", table.get("tls").get(0)));
        cases.add(valid("client certificate authentication", "client-auth", table.get("tls").get(0).get("clientAuth")));
        cases.add(valid("a sealed key", "sealed-key", table.get("tls").get(0).get("privateKey")));
        cases.add(valid("a diagnostic", "diagnostic", table.get("diagnostics").get(0)));
        cases.add(valid("a source offset", "source-offset", snapshot.get("provenance").get(0)));
        JsonNode marked = Json.MAPPER.readTree(dev.signalbox.schemas.codec.EventLogCodec.encode(Samples.markedEvent()));
        cases.add(valid("an event with its transaction mark", "cluster-event", marked));
        cases.add(valid("a transaction mark", "transaction-mark", marked.get("transaction")));
        JsonNode marker = Json.MAPPER.readTree(dev.signalbox.schemas.codec.EventLogCodec.encode(Samples.marker()));
        cases.add(valid("a sync marker", "sync-marker", marker));
        cases.add(valid("a sync marker written outside a transaction", "sync-marker", without(marker, "transaction")));
        JsonNode heartbeat = Json.MAPPER.readTree(dev.signalbox.schemas.codec.EventLogCodec.encode(Samples.heartbeat()));
        cases.add(valid("a heartbeat", "heartbeat", heartbeat));
        cases.add(invalid("a heartbeat without its cluster", "heartbeat", without(heartbeat, "clusterId"), "required"));
        JsonNode stale = Json.MAPPER.readTree(dev.signalbox.schemas.codec.EventLogCodec.encode(Samples.stale()));
        cases.add(valid("a stale decision", "cluster-liveness", stale));
        cases.add(valid("a removal", "cluster-liveness", Json.MAPPER.readTree(dev.signalbox.schemas.codec.EventLogCodec.encode(
                dev.signalbox.schemas.event.ClusterLiveness.removed("east", 3, Samples.T0, "decommissioned")))));
        cases.add(invalid("a liveness decision without its state", "cluster-liveness", without(stale, "state"), "required"));
        JsonNode delta = Json.MAPPER.readTree(dev.signalbox.schemas.codec.SnapshotDeltaCodec.encode(Samples.delta()));
        cases.add(valid("a delta", "snapshot-delta", delta));
        cases.add(valid("a table's changes", "table-delta", delta.get("changes")));
        cases.add(valid("a delta of the single fields only", "snapshot-delta", Json.MAPPER.readTree(
                dev.signalbox.schemas.codec.SnapshotDeltaCodec.encode(dev.signalbox.schemas.codec.SnapshotDeltaCodec.between(
                        Samples.table(), Samples.snapshot(2, dev.signalbox.schemas.snapshot.RoutingTable.EMPTY))))));
        cases.add(invalid("a delta without its content hash", "snapshot-delta", without(delta, "contentHash"), "required"));
        cases.add(invalid("a delta without its changes", "snapshot-delta", without(delta, "changes"), "required"));
        cases.add(invalid("changes with a field the schema does not know", "table-delta",
                with(delta.get("changes"), "surprise", 1), "additionalProperties"));
        cases.add(invalid("an added backend without its entry", "table-delta",
                with(delta.get("changes"), "backends", Json.MAPPER.createArrayNode().add(Json.MAPPER.createObjectNode())),
                "required"));
        JsonNode withTx = Json.MAPPER.readTree(SnapshotCodec.encode(Samples.snapshotWithTransactions()));
        cases.add(valid("a snapshot naming its transactions", "routing-snapshot", withTx));
        cases.add(valid("a source transaction", "source-transaction", withTx.get("transactions").get(0)));
        cases.add(invalid("a sync marker without its cluster", "sync-marker", without(marker, "clusterId"), "required"));
        cases.add(invalid("a sync marker that says it is something else", "sync-marker", with(marker, "type", "Ingress"),
                "const"));
        cases.add(invalid("a transaction mark without its record count", "transaction-mark",
                without(marked.get("transaction"), "records"), "required"));
        cases.add(invalid("a source transaction without its ranges", "source-transaction",
                without(withTx.get("transactions").get(0), "ranges"), "required"));

        JsonNode upsert = Json.MAPPER.readTree(ClusterEventCodec.encode(
                Samples.events().get("an Ingress with rules, TLS, a default backend and a resource backend")));
        cases.add(invalid("an event without its clusterId", "cluster-event", without(upsert, "clusterId"),
                "required"));
        cases.add(invalid("an UPSERT without state", "cluster-event", without(upsert, "state"), "required"));
        cases.add(invalid("an event with a field the schema does not know", "cluster-event",
                with(upsert, "surprise", 1), "additionalProperties"));
        cases.add(invalid("an event of a newer format version", "cluster-event", with(upsert, "formatVersion", 4),
                "const"));
        cases.add(invalid("a snapshot without its content hash", "routing-snapshot",
                without(snapshot, "contentHash"), "required"));
        cases.add(invalid("a table without its backends", "routing-table", without(table, "backends"), "required"));
        cases.add(invalid("a route without its backend", "route",
                without(table.get("virtualHosts").get(0).get("routes").get(0), "backend"), "required"));
        cases.add(invalid("an endpoint without a port", "endpoint",
                without(table.get("backends").get(0).get("endpoints").get(0), "port"), "required"));
        cases.add(invalid("a TLS binding without its certificate", "tls-binding",
                without(table.get("tls").get(0), "certificatePem"), "required"));
        cases.add(invalid("a TLS binding with its key in clear", "tls-binding",
                with(without(table.get("tls").get(0), "privateKey"), "privateKeyPem", "-----BEGIN PRIVATE KEY-----"),
                "required", "additionalProperties"));
        cases.add(invalid("a sealed key without its key id", "sealed-key",
                without(table.get("tls").get(0).get("privateKey"), "keyId"), "required"));
        cases.add(invalid("a diagnostic without a message", "diagnostic",
                without(table.get("diagnostics").get(0), "message"), "required"));
        cases.add(invalid("a source offset without its next offset", "source-offset",
                without(snapshot.get("provenance").get(0), "nextOffset"), "required"));
        cases.add(invalid("a backend without its id", "backend", without(table.get("backends").get(0), "id"),
                "required"));
        cases.add(invalid("upstream TLS settings without a server name", "upstream-tls",
                without(table.get("backends").get(2).get("tls"), "serverName"), "required"));
        cases.add(invalid("upstream TLS settings with the client key in clear", "upstream-tls",
                with(without(table.get("backends").get(2).get("tls"), "clientKey"), "clientKeyPem",
                        "-----BEGIN PRIVATE KEY-----"), "additionalProperties"));
        cases.add(invalid("a virtual host without routes", "virtual-host",
                without(table.get("virtualHosts").get(0), "routes"), "required"));

        for (Case c : cases) {
            assertEquals(c.expectedErrors(), errorTypes(c.schemaFile(), c.sample()), c.name());
        }
    }

    @Test
    void everyPropertyInEverySchemaFileIsDescribed() throws IOException {
        List<String> undescribed = new ArrayList<>();
        for (Path file : schemaFiles()) {
            collectUndescribed(file.getFileName().toString(), "", Json.MAPPER.readTree(file.toFile()), undescribed);
        }
        assertEquals(List.of(), undescribed);
    }

    @Test
    void everySchemaFileHasItsOwnIdAndTheDraft202012Dialect() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Path file : schemaFiles()) {
            JsonNode schema = Json.MAPPER.readTree(file.toFile());
            String name = file.getFileName().toString();
            if (!(BASE + name).equals(schema.path("$id").asText())
                    || !"https://json-schema.org/draft/2020-12/schema".equals(schema.path("$schema").asText())) {
                wrong.add(name);
            }
        }
        assertEquals(List.of(), wrong);
    }

    private static Set<String> errorTypes(String schemaFile, JsonNode sample) {
        JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(BASE + schemaFile + ".schema.json"));
        Set<ValidationMessage> errors = schema.validate(sample);
        // Report the messages themselves when a valid sample fails: they say which field drifted.
        return errors.stream().map(m -> m.getType() + (m.getType().equals("required")
                || m.getType().equals("additionalProperties") || m.getType().equals("const") ? "" : ": " + m.getMessage()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void collectUndescribed(String file, String path, JsonNode node, List<String> out) {
        JsonNode props = node.get("properties");
        if (props != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (!p.getValue().hasNonNull("description")) {
                    out.add(file + " " + path + "/" + p.getKey());
                }
            }
        }
        JsonNode defs = node.get("$defs");
        if (defs != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = defs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> d = it.next();
                collectUndescribed(file, path + "/$defs/" + d.getKey(), d.getValue(), out);
            }
        }
    }

    private static List<Path> schemaFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".schema.json")).sorted().toList();
        }
    }

    private static Case valid(String name, String schemaFile, JsonNode sample) {
        return new Case(name + " is valid", schemaFile, sample, Set.of());
    }

    private static Case invalid(String name, String schemaFile, JsonNode sample, String... errorTypes) {
        return new Case(name + " is invalid", schemaFile, sample, Set.of(errorTypes));
    }

    private static JsonNode without(JsonNode node, String field) {
        ObjectNode copy = node.deepCopy();
        copy.remove(field);
        return copy;
    }

    private static JsonNode with(JsonNode node, String field, String value) {
        ObjectNode copy = node.deepCopy();
        copy.put(field, value);
        return copy;
    }

    private static JsonNode with(JsonNode node, String field, JsonNode value) {
        ObjectNode copy = node.deepCopy();
        copy.set(field, value);
        return copy;
    }

    private static JsonNode with(JsonNode node, String field, int value) {
        ObjectNode copy = node.deepCopy();
        copy.put(field, value);
        return copy;
    }
}
