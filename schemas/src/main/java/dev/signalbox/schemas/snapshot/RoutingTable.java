package dev.signalbox.schemas.snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The compiled routing table. It is checked when built: every route and the default backend name a
 * backend present in {@link #backends}, every TLS binding carries a certificate (and a CA when it verifies
 * client certificates), and a backend spoken to
 * over TLS that has endpoints has a server name, a CA when it verifies, and a client key with its certificate (go-control-plane's
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
        // Sized for the table: at 10,000 entries, growing the sets was a third of the check.
        Set<String> ids = new HashSet<>(backends.size() * 2);
        for (Backend b : backends) {
            if (!ids.add(b.id())) {
                problems.add("backend " + b.id() + " appears twice");
            }
        }
        for (Backend b : backends) {
            UpstreamTls t = b.tls();
            // Only a backend that can be sent to needs usable settings: a broken one has no endpoints.
            if (t == null || b.endpoints().isEmpty()) {
                continue;
            }
            if (t.serverName() == null || t.serverName().isBlank()) {
                problems.add("backend " + b.id() + " has TLS without a server name");
            }
            if (t.verify() && (t.caCertificatePem() == null || t.caCertificatePem().isBlank())) {
                problems.add("backend " + b.id() + " verifies TLS without a CA certificate");
            }
            if ((t.clientCertificatePem() == null) != (t.clientKey() == null)) {
                problems.add("backend " + b.id() + " has a client certificate without its key, or a key without it");
            }
        }
        Set<String> hosts = new HashSet<>(virtualHosts.size() * 2);
        for (VirtualHost vh : virtualHosts) {
            if (!hosts.add(vh.host())) {
                problems.add("host " + vh.host() + " appears twice");
            }
            for (Route r : vh.routes()) {
                if (!ids.contains(r.backend())) {
                    problems.add("route " + vh.host() + r.path() + " names missing backend " + r.backend());
                }
                Traffic.Canary canary = r.options() == null || r.options().traffic() == null ? null
                        : r.options().traffic().canary();
                if (canary != null && !ids.contains(canary.backend())) {
                    problems.add("route " + vh.host() + r.path() + " names missing canary backend " + canary.backend());
                }
                ErrorPages errors = r.options() == null ? null : r.options().errors();
                if (errors != null && errors.backend() != null && !ids.contains(errors.backend())) {
                    problems.add("route " + vh.host() + r.path() + " names missing default backend " + errors.backend());
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
            ClientAuth a = t.clientAuth();
            if (a != null && a.problem() == null && (a.verify() == ClientAuth.Verify.ON || a.verify() == ClientAuth.Verify.OPTIONAL)
                    && (a.caCertificatePem() == null || a.caCertificatePem().isBlank())) {
                problems.add("TLS host " + t.host() + " verifies client certificates without a CA certificate");
            }
        }
        return problems;
    }
}
