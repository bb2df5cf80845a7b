package dev.signalbox.schemas.snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The compiled routing table. It is checked when built: every route and the default backend name a
 * backend present in {@link #backends}, and every TLS binding carries a certificate (go-control-plane's
 * Snapshot.Consistent(), but impossible to skip).
 *
 * @param virtualHosts   sorted: exact hosts, then wildcards, then {@link VirtualHost#ANY_HOST}, each by name
 * @param defaultBackend backend id for requests no rule matches, or null for 404
 * @param ingresses      cluster/namespace/name of every Ingress that is ours, sorted: the watcher writes
 *                       their status (an additive field: absent in older records, read as empty)
 */
public record RoutingTable(List<VirtualHost> virtualHosts, String defaultBackend, List<Backend> backends,
                           List<TlsBinding> tls, List<String> ingresses, List<Diagnostic> diagnostics) {

    public static final RoutingTable EMPTY = new RoutingTable(List.of(), null, List.of(), List.of(), List.of());

    @com.fasterxml.jackson.annotation.JsonCreator
    public RoutingTable {
        ingresses = ingresses == null ? List.of() : List.copyOf(ingresses);
        virtualHosts = List.copyOf(virtualHosts);
        backends = List.copyOf(backends);
        tls = List.copyOf(tls);
        diagnostics = List.copyOf(diagnostics);
        List<String> problems = inconsistencies(virtualHosts, defaultBackend, backends, tls);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("inconsistent routing table: " + String.join("; ", problems));
        }
    }

    /** A table that owns no Ingress beyond those its routes name (tests and tools). */
    public RoutingTable(List<VirtualHost> virtualHosts, String defaultBackend, List<Backend> backends,
                        List<TlsBinding> tls, List<Diagnostic> diagnostics) {
        this(virtualHosts, defaultBackend, backends, tls, List.of(), diagnostics);
    }

    private static List<String> inconsistencies(List<VirtualHost> virtualHosts, String defaultBackend,
                                                List<Backend> backends, List<TlsBinding> tls) {
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Backend b : backends) {
            if (!ids.add(b.id())) {
                problems.add("backend " + b.id() + " appears twice");
            }
        }
        Set<String> hosts = new HashSet<>();
        for (VirtualHost vh : virtualHosts) {
            if (!hosts.add(vh.host())) {
                problems.add("host " + vh.host() + " appears twice");
            }
            for (Route r : vh.routes()) {
                if (!ids.contains(r.backend())) {
                    problems.add("route " + vh.host() + r.path() + " names missing backend " + r.backend());
                }
            }
        }
        if (defaultBackend != null && !ids.contains(defaultBackend)) {
            problems.add("default backend " + defaultBackend + " is missing");
        }
        for (TlsBinding t : tls) {
            if (t.certificatePem() == null || t.certificatePem().isBlank()) {
                problems.add("TLS host " + t.host() + " has no certificate");
            }
        }
        return problems;
    }
}
