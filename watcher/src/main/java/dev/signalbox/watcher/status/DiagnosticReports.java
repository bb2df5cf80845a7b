package dev.signalbox.watcher.status;

import dev.signalbox.schemas.codec.Sha256;
import dev.signalbox.schemas.snapshot.Diagnostic;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which diagnostics become Kubernetes Events. A diagnostic is reported when it appears in a
 * snapshot and was not in the previous snapshot this leader saw; one that stays gets nothing more.
 *
 * <p>Every Event has a name derived from the diagnostic (object, uid, message), so reporting the same
 * diagnostic twice hits the same Event: the adapter creates it, and when it already exists it
 * increments its {@code count} (kubectl shows "x N over ...") for a diagnostic that disappeared and
 * reappeared, or leaves it alone on the first snapshot of a leader's term, where the previous leader
 * may already have reported it.
 */
public final class DiagnosticReports {
    private DiagnosticReports() {
    }

    /**
     * One diagnostic to report.
     *
     * @param termStart true on the first snapshot of a leadership term: the Event may already exist
     *                  from an earlier leader, and then it is not counted again
     */
    public record Report(Diagnostic diagnostic, boolean termStart) {
    }

    /**
     * @param previous this cluster's diagnostics of the previous snapshot this leader handled; null at
     *                 the start of a term
     * @param current  every diagnostic of the new snapshot (all clusters)
     * @return this cluster's new diagnostics, in snapshot order
     */
    public static List<Report> reports(String clusterId, Set<Diagnostic> previous, List<Diagnostic> current) {
        return ofCluster(clusterId, current).stream()
                .filter(d -> previous == null || !previous.contains(d))
                .map(d -> new Report(d, previous == null))
                .toList();
    }

    /** The diagnostics of {@code clusterId}: the next call's {@code previous}. */
    public static Set<Diagnostic> ofCluster(String clusterId, List<Diagnostic> diagnostics) {
        Set<Diagnostic> out = new LinkedHashSet<>();
        diagnostics.stream().filter(d -> d.cluster().equals(clusterId)).forEach(out::add);
        return out;
    }

    /**
     * The Event's name: the object's name (cut to fit) and 16 hex digits of SHA-256 over kind, namespace,
     * name, uid and message; a valid DNS subdomain whenever the object's name is one.
     *
     * @param uid the object's uid when the informer cache has it, else null (a recreated object then
     *            shares its predecessor's Event)
     */
    public static String eventName(Diagnostic d, String uid) {
        String id = String.join("\n", d.kind(), d.namespace(), d.name(), uid == null ? "" : uid, d.severity().name(), d.message());
        String prefix = d.name().length() > 200 ? d.name().substring(0, 200) : d.name();
        return prefix + "." + HexFormat.of().formatHex(Sha256.of(id), 0, 8);
    }

    /** The object an Event is recorded on ({@code involvedObject}); namespace empty for a cluster-scoped one. */
    public record Subject(String apiVersion, String kind, String namespace, String name) {
    }

    /**
     * What the Event of {@code d} is about: the routed object it names, with its kind's API version; for a
     * diagnostic about a whole cluster ({@link Diagnostic#CLUSTER_KIND}: its watcher's initial list is not in
     * the log) the election Lease of the cluster's watchers, the object that stands for them in Kubernetes
     * (never an object that happens to be named like the cluster). Empty for a kind with no Kubernetes object.
     */
    public static Optional<Subject> subject(Diagnostic d, String leaseNamespace, String leaseName) {
        String apiVersion = switch (d.kind()) {
            case "Ingress", "IngressClass" -> "networking.k8s.io/v1";
            case "Service", "Secret" -> "v1";
            case "EndpointSlice" -> "discovery.k8s.io/v1";
            // KEP-1645's only version; the watcher watches this one (InformerCaches).
            case "ServiceExport" -> "multicluster.x-k8s.io/v1alpha1";
            case Diagnostic.CLUSTER_KIND -> "coordination.k8s.io/v1";
            default -> null;
        };
        if (apiVersion == null) {
            return Optional.empty();
        }
        if (d.kind().equals(Diagnostic.CLUSTER_KIND)) {
            return Optional.of(new Subject(apiVersion, "Lease", leaseNamespace, leaseName));
        }
        return Optional.of(new Subject(apiVersion, d.kind(), d.namespace(), d.name()));
    }

    /** Events reason: ERROR means part of the object was left out of routing. */
    public static String reason(Diagnostic d) {
        return d.severity() == Diagnostic.Severity.ERROR ? "SignalboxRejected" : "SignalboxWarning";
    }
}
