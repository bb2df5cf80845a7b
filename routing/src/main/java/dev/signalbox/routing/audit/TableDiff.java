package dev.signalbox.routing.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.RoutesDocument;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What changed between two routing tables, by kind of element: routes (one per host and path), backends
 * (without their endpoints), endpoints (one per backend and address), TLS bindings, diagnostics and the
 * default backend. Elements have the shapes {@code bin/ingress show} prints (the {@link RoutesDocument}
 * with private keys left out; a route carries its host, an endpoint its backend). Diagnostics and endpoints
 * are only added or removed; the others may also change in place (same key, different content). Pure;
 * every list is sorted by the element's key, so the same two tables always give the same document.
 *
 * @param from    the version compared from (0 for the empty table)
 * @param to      the version compared to
 * @param added   by kind, the elements only {@code to} has
 * @param removed by kind, the elements only {@code from} has
 * @param changed by kind, the elements both have with different content
 */
public record TableDiff(long from, long to, Map<String, List<JsonNode>> added, Map<String, List<JsonNode>> removed,
                        Map<String, List<Change>> changed) {
    /** The kinds of element, in the order they are reported. */
    public static final List<String> KINDS = List.of("routes", "backends", "endpoints", "tls", "diagnostics",
            "defaultBackend");

    /** An element whose content differs between the two tables. */
    public record Change(JsonNode before, JsonNode after) {
    }

    /** How many elements of one kind were added, removed and changed. */
    public record Count(int added, int removed, int changed) {
    }

    /** The difference from {@code a} to {@code b}; {@code a} may be null (the empty table before version 1). */
    public static TableDiff of(RoutingSnapshot a, RoutingSnapshot b) {
        Map<String, Map<String, JsonNode>> before = elements(a);
        Map<String, Map<String, JsonNode>> after = elements(b);
        Map<String, List<JsonNode>> added = new LinkedHashMap<>();
        Map<String, List<JsonNode>> removed = new LinkedHashMap<>();
        Map<String, List<Change>> changed = new LinkedHashMap<>();
        for (String kind : KINDS) {
            Map<String, JsonNode> x = before.get(kind);
            Map<String, JsonNode> y = after.get(kind);
            List<JsonNode> add = new ArrayList<>();
            List<JsonNode> del = new ArrayList<>();
            List<Change> chg = new ArrayList<>();
            y.forEach((key, node) -> {
                JsonNode old = x.get(key);
                if (old == null) {
                    add.add(node);
                } else if (!old.equals(node)) {
                    chg.add(new Change(old, node));
                }
            });
            x.forEach((key, node) -> {
                if (!y.containsKey(key)) {
                    del.add(node);
                }
            });
            added.put(kind, List.copyOf(add));
            removed.put(kind, List.copyOf(del));
            changed.put(kind, List.copyOf(chg));
        }
        return new TableDiff(a == null ? 0 : a.version(), b.version(), added, removed, changed);
    }

    public boolean isEmpty() {
        return KINDS.stream().allMatch(k -> added.get(k).isEmpty() && removed.get(k).isEmpty() && changed.get(k).isEmpty());
    }

    /** Added, removed and changed, counted per kind, in {@link #KINDS} order. */
    public Map<String, Count> counts() {
        Map<String, Count> c = new LinkedHashMap<>();
        for (String kind : KINDS) {
            c.put(kind, new Count(added.get(kind).size(), removed.get(kind).size(), changed.get(kind).size()));
        }
        return c;
    }

    /** {@code {"from", "to", "added": {kind: [...]}, "removed": {...}, "changed": {kind: [{"before", "after"}]}}}. */
    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("from", from);
        root.put("to", to);
        ObjectNode add = root.putObject("added");
        ObjectNode del = root.putObject("removed");
        ObjectNode chg = root.putObject("changed");
        for (String kind : KINDS) {
            added.get(kind).forEach(add.putArray(kind)::add);
            removed.get(kind).forEach(del.putArray(kind)::add);
            ArrayNode changes = chg.putArray(kind);
            for (Change c : changed.get(kind)) {
                ObjectNode n = changes.addObject();
                n.set("before", c.before());
                n.set("after", c.after());
            }
        }
        return root;
    }

    /**
     * Whether this difference changes how {@code host} is routed: a route of a virtual host covering it, the
     * TLS binding covering it, or a backend (or its endpoints) that such a route sends to in either table, its
     * canary's and default backend's (default-backend, custom-http-errors) included.
     */
    public static boolean touchesHost(TableDiff diff, RoutingSnapshot a, RoutingSnapshot b, String host) {
        String h = CompiledTable.normalizeHost(host);
        Set<String> backends = new HashSet<>();
        for (RoutingSnapshot s : new RoutingSnapshot[] {a, b}) {
            if (s == null) {
                continue;
            }
            for (VirtualHost vh : s.table().virtualHosts()) {
                if (covers(vh.host(), h)) {
                    for (Route r : vh.routes()) {
                        backends.add(r.backend());
                        if (r.options() != null && r.options().traffic() != null && r.options().traffic().canary() != null) {
                            backends.add(r.options().traffic().canary().backend());
                        }
                        if (r.options() != null && r.options().errors() != null && r.options().errors().backend() != null) {
                            backends.add(r.options().errors().backend());
                        }
                    }
                }
            }
        }
        for (String kind : KINDS) {
            List<JsonNode> nodes = new ArrayList<>(diff.added.get(kind));
            nodes.addAll(diff.removed.get(kind));
            diff.changed.get(kind).forEach(c -> {
                nodes.add(c.before());
                nodes.add(c.after());
            });
            for (JsonNode n : nodes) {
                boolean hit = switch (kind) {
                    case "routes", "tls" -> covers(n.path("host").asText(), h);
                    case "backends" -> backends.contains(n.path("id").asText());
                    case "endpoints" -> backends.contains(n.path("backend").asText());
                    default -> false;
                };
                if (hit) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether this difference changes one route: the route itself ({@code virtualHost} and {@code path}), its
     * backend {@code backendId} or that backend's endpoints.
     */
    public boolean touchesRoute(String virtualHost, String path, String backendId) {
        for (String kind : List.of("routes", "backends", "endpoints")) {
            List<JsonNode> nodes = new ArrayList<>(added.get(kind));
            nodes.addAll(removed.get(kind));
            changed.get(kind).forEach(c -> nodes.add(c.after()));
            for (JsonNode n : nodes) {
                boolean hit = switch (kind) {
                    case "routes" -> n.path("host").asText().equals(virtualHost) && n.path("path").asText().equals(path);
                    case "backends" -> n.path("id").asText().equals(backendId);
                    default -> n.path("backend").asText().equals(backendId);
                };
                if (hit) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * False when going from {@code a} to {@code b} cannot have touched the route ({@code virtualHost},
     * {@code path}) or backend {@code backendId} (with its endpoints): the virtual host's routes on that path
     * and the backend are equal records in both. True means {@link #of} and {@link #touchesRoute} must decide;
     * a search back through versions skips most of them without building a diff.
     */
    public static boolean mayTouchRoute(RoutingSnapshot a, RoutingSnapshot b, String virtualHost, String path,
                                        String backendId) {
        return a == null || b == null || !routes(a, virtualHost, path).equals(routes(b, virtualHost, path))
                || !backends(a, backendId).equals(backends(b, backendId));
    }

    private static List<Route> routes(RoutingSnapshot s, String virtualHost, String path) {
        return s.table().virtualHosts().stream().filter(vh -> vh.host().equals(virtualHost))
                .flatMap(vh -> vh.routes().stream()).filter(r -> r.path().equals(path)).toList();
    }

    private static List<dev.signalbox.schemas.snapshot.Backend> backends(RoutingSnapshot s, String backendId) {
        return s.table().backends().stream().filter(b -> b.id().equals(backendId)).toList();
    }

    private static boolean covers(String pattern, String host) {
        String p = pattern.toLowerCase(java.util.Locale.ROOT);
        return p.equals(VirtualHost.ANY_HOST) || Explain.covers(p, host);
    }

    /** Whether a virtual host or TLS binding pattern serves {@code host}: equal, its wildcard, or any host. */
    public static boolean servesHost(String pattern, String host) {
        return covers(pattern, CompiledTable.normalizeHost(host));
    }

    /** Every element of a table by kind and key, keys sorted. */
    private static Map<String, Map<String, JsonNode>> elements(RoutingSnapshot s) {
        Map<String, Map<String, JsonNode>> byKind = new LinkedHashMap<>();
        KINDS.forEach(k -> byKind.put(k, new TreeMap<>()));
        if (s == null) {
            return byKind;
        }
        JsonNode table = RoutesDocument.tree(s, List.of()).path("table");
        for (JsonNode vh : table.path("virtualHosts")) {
            String host = vh.path("host").asText();
            for (JsonNode r : vh.path("routes")) {
                ObjectNode route = Json.MAPPER.createObjectNode();
                route.put("host", host);
                route.setAll((ObjectNode) r);
                byKind.get("routes").put(host + " " + r.path("path").asText() + " " + r.path("match").asText(), route);
            }
        }
        for (JsonNode b : table.path("backends")) {
            String id = b.path("id").asText();
            ObjectNode backend = ((ObjectNode) b).deepCopy();
            backend.remove("endpoints");
            byKind.get("backends").put(id, backend);
            for (JsonNode e : b.path("endpoints")) {
                ObjectNode endpoint = Json.MAPPER.createObjectNode();
                endpoint.put("backend", id);
                endpoint.setAll((ObjectNode) e);
                byKind.get("endpoints").put(id + " " + e.path("address").asText() + " " + e.path("port").asInt(), endpoint);
            }
        }
        for (JsonNode t : table.path("tls")) {
            byKind.get("tls").put(t.path("host").asText(), t);
        }
        for (JsonNode d : table.path("diagnostics")) {
            byKind.get("diagnostics").put(d.toString(), d);
        }
        if (!table.path("defaultBackend").isNull() && !table.path("defaultBackend").isMissingNode()) {
            ObjectNode def = Json.MAPPER.createObjectNode();
            def.put("id", table.path("defaultBackend").asText());
            byKind.get("defaultBackend").put("default", def);
        }
        return byKind;
    }
}
