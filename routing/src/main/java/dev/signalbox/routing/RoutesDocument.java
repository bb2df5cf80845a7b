package dev.signalbox.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
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
 * backends it could not use), empty where no proxy is involved. Endpoints show their {@code zone} and, when
 * another cluster's, their {@code cluster}, as the snapshot has them; a proxy's document adds where it runs
 * ({@code nodeLocality}: cluster, zone, policy) and, on every endpoint, its cluster (the backend's when the
 * snapshot leaves it out) and its {@code locality} as seen from that proxy (local-zone, local-cluster, remote).
 */
public final class RoutesDocument {
    private RoutesDocument() {
    }

    /** The document as a tree, for callers that add fields (show adds {@code hash} and where it came from). */
    public static ObjectNode tree(RoutingSnapshot snapshot, List<String> nodeDiagnostics) {
        return tree(snapshot, nodeDiagnostics, null);
    }

    /** The document of a proxy at {@code node}, or of no proxy when it is null. */
    public static ObjectNode tree(RoutingSnapshot snapshot, List<String> nodeDiagnostics, Locality node) {
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
        if (node != null) {
            ObjectNode where = root.putObject("nodeLocality");
            where.put("cluster", node.cluster());
            where.put("zone", node.zone());
            where.put("policy", node.policy().label());
            List<Backend> backends = snapshot.table().backends();
            JsonNode written = root.path("table").path("backends");
            for (int b = 0; b < backends.size(); b++) {
                Backend backend = backends.get(b);
                JsonNode endpoints = written.get(b).path("endpoints");
                for (int e = 0; e < backend.endpoints().size(); e++) {
                    Endpoint endpoint = backend.endpoints().get(e);
                    ObjectNode out = (ObjectNode) endpoints.get(e);
                    out.put("cluster", endpoint.clusterOr(backend.cluster()));
                    out.put("locality", node.tierOf(endpoint, backend.cluster()).label());
                }
            }
        }
        return root;
    }

    /** The document, pretty-printed; {@code {"version":0}} before any snapshot. */
    public static String json(RoutingSnapshot snapshot, List<String> nodeDiagnostics) {
        return json(snapshot, nodeDiagnostics, null);
    }

    /** A proxy's document (see {@link #tree(RoutingSnapshot, List, Locality)}), pretty-printed. */
    public static String json(RoutingSnapshot snapshot, List<String> nodeDiagnostics, Locality node) {
        if (snapshot == null) {
            return "{\"version\":0}";
        }
        return pretty(tree(snapshot, nodeDiagnostics, node));
    }

    static String pretty(Object value) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
