package dev.signalbox.watcher.k8s;

import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.watcher.status.DiagnosticReports;
import dev.signalbox.watcher.status.IngressRef;
import dev.signalbox.watcher.status.LbAddress;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes writes of status reporting: Ingress {@code status.loadBalancer.ingress} through the
 * status subresource (PUT, since a JSON merge patch cannot replace the array), and core/v1 Events for
 * diagnostics. Reads come from the informer cache. Used by the status thread only.
 */
public final class KubeStatus {
    static final String COMPONENT = "signalbox-watcher";

    private final KubernetesClient client;
    private final CachedObjects caches;
    private final Clock clock;
    private final String leaseNamespace;
    private final String leaseName;

    /**
     * @param leaseNamespace where the election Lease of this cluster's watchers is: a diagnostic about the
     *                       whole cluster is recorded on it
     */
    public KubeStatus(KubernetesClient client, CachedObjects caches, Clock clock, String leaseNamespace, String leaseName) {
        this.client = client;
        this.caches = caches;
        this.clock = clock;
        this.leaseNamespace = leaseNamespace;
        this.leaseName = leaseName;
    }

    /** The status of every cached Ingress. */
    public Map<IngressRef, List<LbAddress>> currentStatuses() {
        Map<IngressRef, List<LbAddress>> out = new HashMap<>();
        for (Ingress i : caches.ingresses()) {
            out.put(new IngressRef(i.getMetadata().getNamespace(), i.getMetadata().getName()), addresses(i));
        }
        return out;
    }

    static List<LbAddress> addresses(Ingress i) {
        if (i.getStatus() == null || i.getStatus().getLoadBalancer() == null || i.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return i.getStatus().getLoadBalancer().getIngress().stream()
                .filter(a -> a.getIp() != null || a.getHostname() != null)
                .map(a -> a.getIp() != null ? new LbAddress(a.getIp(), null) : new LbAddress(null, a.getHostname()))
                .toList();
    }

    /**
     * Replaces the Ingress's load-balancer status. On a 409 (the cache was stale) it re-reads the Ingress
     * and tries once more; false when the Ingress is gone or already has the status.
     */
    public boolean writeStatus(IngressRef ref, List<LbAddress> addresses) {
        Optional<HasMetadata> cached = caches.object(Kind.INGRESS, ref.namespace(), ref.name());
        if (cached.isEmpty()) {
            return false;
        }
        try {
            put((Ingress) cached.get(), addresses);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            Ingress fresh = client.network().v1().ingresses().inNamespace(ref.namespace()).withName(ref.name()).get();
            if (fresh == null || LbAddress.normalize(addresses(fresh)).equals(LbAddress.normalize(addresses))) {
                return false;
            }
            put(fresh, addresses);
            return true;
        }
    }

    private void put(Ingress current, List<LbAddress> addresses) {
        List<IngressLoadBalancerIngress> entries = addresses.stream()
                .map(a -> new IngressLoadBalancerIngressBuilder().withIp(a.ip()).withHostname(a.hostname()).build()).toList();
        Ingress updated = new IngressBuilder(current).withNewStatus().withNewLoadBalancer().withIngress(entries)
                .endLoadBalancer().endStatus().build();
        client.network().v1().ingresses().inNamespace(current.getMetadata().getNamespace()).resource(updated).updateStatus();
    }

    /**
     * Reports a diagnostic as a Warning Event on the object it is about ({@link DiagnosticReports#subject}).
     * The Event's name is fixed per diagnostic: if it exists, a reappearance increments its count, and a
     * term's first report leaves it alone.
     *
     * @return false when the diagnostic's kind has no Kubernetes object to record an Event on
     */
    public boolean report(DiagnosticReports.Report report) {
        Diagnostic d = report.diagnostic();
        Optional<DiagnosticReports.Subject> about = DiagnosticReports.subject(d, leaseNamespace, leaseName);
        if (about.isEmpty()) {
            return false;
        }
        DiagnosticReports.Subject s = about.get();
        String uid = uid(d, s);
        // Events about cluster-scoped objects (IngressClass) live in "default", as client-go's recorder puts them.
        String ns = s.namespace().isEmpty() ? "default" : s.namespace();
        String name = DiagnosticReports.eventName(d, uid);
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        Event event = new EventBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewInvolvedObject().withApiVersion(s.apiVersion()).withKind(s.kind())
                .withNamespace(s.namespace().isEmpty() ? null : s.namespace()).withName(s.name()).withUid(uid).endInvolvedObject()
                .withType("Warning")
                .withReason(DiagnosticReports.reason(d))
                .withMessage(d.message())
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(event).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            if (!report.termStart()) {
                client.v1().events().inNamespace(ns).withName(name).edit(existing -> new EventBuilder(existing)
                        .withCount(existing.getCount() == null ? 2 : existing.getCount() + 1)
                        .withLastTimestamp(now)
                        .build());
            }
        }
        return true;
    }

    /** The uid of the Event's object: from the informer cache, or for the Lease (not cached) from the API. */
    private String uid(Diagnostic d, DiagnosticReports.Subject s) {
        if (d.kind().equals(Diagnostic.CLUSTER_KIND)) {
            var lease = client.leases().inNamespace(s.namespace()).withName(s.name()).get();
            return lease == null ? null : lease.getMetadata().getUid();
        }
        return caches.object(Kind.fromApiName(d.kind()), d.namespace(), d.name()).map(o -> o.getMetadata().getUid()).orElse(null);
    }
}
