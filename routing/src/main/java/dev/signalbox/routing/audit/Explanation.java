package dev.signalbox.routing.audit;

import dev.signalbox.schemas.snapshot.Endpoint;
import java.util.List;

/**
 * How one request would have been routed by one snapshot: {@code bin/ingress explain}'s answer, built by
 * {@link Explain} from the proxy's own matcher. Fields that do not apply are null (a miss has no route).
 *
 * @param matched       true when the request is served (200, or 308 to HTTPS); a 404, 503 or 400 is a miss
 * @param virtualHost   the host pattern that matched: the host, a one-label wildcard, or {@code *} (no host)
 * @param hostMatch     exact, wildcard or any; null when no virtual host matched
 * @param status        what the proxy answers: 200, 308, 400, 404 or 503
 * @param reason        a sentence saying why
 * @param candidates    on a 404 for a known host, the paths it does have ("/a (PREFIX)")
 * @param lastChangedBy the events that last changed the route's objects (filled from the events log; empty here)
 * @param locality      when the request is forwarded (200), which of the backend's endpoints serve it as seen from
 *                      a proxy at the locality asked about; null otherwise
 */
public record Explanation(long version, boolean matched, String virtualHost, String hostMatch, RouteRef route,
                          BackendRef backend, TlsRef tls, int status, String reason, List<String> candidates,
                          List<Cause> lastChangedBy, LocalityRef locality) {
    public Explanation {
        candidates = List.copyOf(candidates);
        lastChangedBy = List.copyOf(lastChangedBy);
    }

    /** The route that matched, and the Ingress it came from. */
    public record RouteRef(String path, String pathType, boolean httpsRedirect, IngressRef ingress) {
    }

    /** An Ingress by cluster, namespace and name. */
    public record IngressRef(String cluster, String namespace, String name) {
        /** Parses a route's source, cluster/namespace/name. */
        static IngressRef parse(String source) {
            String[] p = source == null ? new String[0] : source.split("/", 3);
            return p.length == 3 ? new IngressRef(p[0], p[1], p[2]) : new IngressRef(null, null, source);
        }
    }

    /** The backend the route sends to, with its endpoints in that snapshot. */
    public record BackendRef(String id, String cluster, String namespace, String service, String port,
                             List<Endpoint> endpoints, String unavailableReason) {
        public BackendRef {
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * Which endpoints a proxy at a locality sends the request to while none is ejected.
     *
     * @param cluster   the proxy's cluster
     * @param zone      its zone, or null
     * @param policy    prefer-local or balance-all
     * @param tiers     where the serving endpoints run, nearest first: local-zone, local-cluster or remote (one
     *                  under prefer-local; under balance-all every tier among them)
     * @param endpoints the endpoints requests go to, round-robin
     */
    public record LocalityRef(String cluster, String zone, String policy, List<String> tiers, List<Endpoint> endpoints) {
        public LocalityRef {
            tiers = List.copyOf(tiers);
            endpoints = List.copyOf(endpoints);
        }
    }

    /** The TLS binding that would serve the host (SNI), by host pattern and Secret. */
    public record TlsRef(String host, String secret) {
    }

    /** This explanation with the events that last changed its route's objects. */
    public Explanation withLastChangedBy(List<Cause> causes) {
        return new Explanation(version, matched, virtualHost, hostMatch, route, backend, tls, status, reason, candidates,
                causes, locality);
    }
}
