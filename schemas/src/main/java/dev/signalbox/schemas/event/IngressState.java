package dev.signalbox.schemas.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * networking.k8s.io/v1 Ingress, as routing sees it.
 *
 * @param ingressClassName  spec.ingressClassName, or null
 * @param annotations       the metadata.annotations routing may read (kubernetes.io/ingress.class,
 *                          signalbox.dev/*, nginx.ingress.kubernetes.io/*), sorted
 * @param creationTimestamp metadata.creationTimestamp; the older of two conflicting Ingresses wins
 */
public record IngressState(
        String ingressClassName,
        Map<String, String> annotations,
        Instant creationTimestamp,
        BackendRef defaultBackend,
        List<TlsEntry> tls,
        List<Rule> rules) implements ObjectState {

    public IngressState {
        annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(annotations));
        tls = tls == null ? List.of() : List.copyOf(tls);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    @Override
    public Kind kind() {
        return Kind.INGRESS;
    }

    /** spec.rules[].http.paths[].backend or spec.defaultBackend: exactly one of service and resource is set. */
    public record BackendRef(ServiceRef service, ResourceRef resource) {
    }

    /** A Service port is named by number or by name (spec ServiceBackendPort). */
    public record ServiceRef(String name, Integer portNumber, String portName) {
    }

    /** A TypedLocalObjectReference backend; Signalbox rejects these with a diagnostic. */
    public record ResourceRef(String apiGroup, String kind, String name) {
    }

    public record TlsEntry(List<String> hosts, String secretName) {
        public TlsEntry {
            hosts = hosts == null ? List.of() : List.copyOf(hosts);
        }
    }

    /** A rule; host null means every host. */
    public record Rule(String host, List<PathRule> paths) {
        public Rule {
            paths = paths == null ? List.of() : List.copyOf(paths);
        }
    }

    /** pathType is kept as written (Exact, Prefix, ImplementationSpecific, or anything invalid) for diagnostics. */
    public record PathRule(String path, String pathType, BackendRef backend) {
    }
}
