package dev.signalbox.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON document a proxy's {@code /routes} serves and {@code bin/ingress show} prints, so tools read one
 * format: the snapshot (top-level {@code version}, {@code createdAt}, {@code contentHash} also as {@code hash},
 * {@code table}...),
 * with the sealed private keys (of TLS bindings and of backends' client certificates) left out, only their
 * key ids kept, and {@code nodeDiagnostics}: a proxy's own problems with the table (TLS bindings and TLS
 * backends it could not use), empty where no proxy is involved.
 */
public final class RoutesDocument {
    private RoutesDocument() {
    }

    /** The document as a tree, for callers that add fields (show adds {@code hash} and where it came from). */
    public static ObjectNode tree(RoutingSnapshot snapshot, List<String> nodeDiagnostics) {
        if (snapshot == null) {
            ObjectNode empty = Json.MAPPER.createObjectNode();
            empty.put("version", 0);
            return empty;
        }
        ObjectNode root = Json.MAPPER.valueToTree(snapshot);
        // The name the audit commands use for contentHash (an additive field).
        root.put("hash", snapshot.contentHash());
        for (JsonNode tls : root.path("table").path("tls")) {
            ObjectNode key = (ObjectNode) tls.path("privateKey");
            ((ObjectNode) tls).put("privateKeyId", key.path("keyId").asText());
            ((ObjectNode) tls).remove("privateKey");
        }
        for (JsonNode backend : root.path("table").path("backends")) {
            JsonNode key = backend.path("tls").path("clientKey");
            if (key.isObject()) {
                ((ObjectNode) backend.get("tls")).put("clientKeyId", key.path("keyId").asText());
                ((ObjectNode) backend.get("tls")).remove("clientKey");
            }
        }
        root.putPOJO("nodeDiagnostics", nodeDiagnostics);
        return root;
    }

    /** The document, pretty-printed; {@code {"version":0}} before any snapshot. */
    public static String json(RoutingSnapshot snapshot, List<String> nodeDiagnostics) {
        if (snapshot == null) {
            return "{\"version\":0}";
        }
        return pretty(tree(snapshot, nodeDiagnostics));
    }

    static String pretty(Object value) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
