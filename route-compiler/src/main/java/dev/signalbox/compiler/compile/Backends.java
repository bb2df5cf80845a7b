package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.ClusterSync;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressState.ServiceRef;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolves an Ingress's Service backend to a {@link Backend}: the Service port named by number or name,
 * then the EndpointSlice port of the same name (which carries the resolved targetPort), then the
 * endpoints traffic may go to. Only ready endpoints are used; when none is ready, serving endpoints
 * (terminating but still serving) are used, as kube-proxy does. An ExternalName Service resolves to its
 * DNS name on the Service port, as ingress-nginx does. A backend spoken to over TLS is the same Service
 * port under another id (the settings are part of it), so Ingresses with different settings do not collide.
 *
 * <p>Merged Services (KEP-1645, issue 14): a Service exported (ServiceExport) in the Ingress's cluster gets the
 * endpoints of the Service of the same namespace and name in every cluster that exports it, the port matched by
 * name; endpoints of another cluster carry its id. A cluster recorded as stale is withdrawn from a merged Service
 * while another cluster has endpoints for it (or kept and marked stale, as its decision says).
 */
final class Backends {
    private static final Map<String, List<EndpointSliceState>> NO_SLICES = Map.of();

    private final ClusterModel model;
    private final Map<String, Map<String, List<EndpointSliceState>>> slicesByNamespace = new HashMap<>();
    /** Plain backends built so far, by id, whether or not a route uses them as they are. */
    private final Map<String, Backend> built = new HashMap<>();
    private final Map<String, Backend> resolved = new TreeMap<>();
    /** namespace/name of every exported Service -> the clusters exporting it, in id order. */
    private final Map<String, java.util.SortedSet<String>> exporters = new HashMap<>();

    Backends(ClusterModel model) {
        this(model, null);
    }

    /**
     * Backends that read only the EndpointSlices of the Services named in {@code services} ("namespace/name", in
     * any cluster; null: all): what {@link IncrementalCompiler} rebuilds after those slices changed.
     */
    Backends(ClusterModel model, java.util.Set<String> services) {
        this.model = model;
        for (StoredObject o : model.ofKind(Kind.SERVICE_EXPORT)) {
            exporters.computeIfAbsent(o.key().namespace() + "/" + o.key().name(), k -> new TreeSet<>()).add(o.key().clusterId());
        }
        for (StoredObject o : model.ofKind(Kind.ENDPOINT_SLICE)) {
            EndpointSliceState s = (EndpointSliceState) o.state();
            if (s.serviceName() == null || services != null && !named(services, o.key().namespace(), s.serviceName())) {
                continue;
            }
            slicesByNamespace.computeIfAbsent(o.key().clusterId() + "/" + o.key().namespace(), k -> new HashMap<>())
                    .computeIfAbsent(s.serviceName(), k -> new ArrayList<>()).add(s);
        }
    }

    /**
     * Whether {@code services} ("namespace/name") holds {@code namespace}/{@code name}, compared in place when there
     * are few: the incremental compile asks for every slice and backend of the model, and a joined string each was
     * most of its allocation.
     */
    static boolean named(java.util.Set<String> services, String namespace, String name) {
        if (services.size() > 8) {
            return services.contains(namespace + "/" + name);
        }
        for (String s : services) {
            if (s.length() == namespace.length() + 1 + name.length() && s.startsWith(namespace)
                    && s.charAt(namespace.length()) == '/' && s.endsWith(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The backend for {@code ref} seen from {@code ingress}, spoken to as {@code tls} says (null: plain
     * HTTP/1.1); problems are reported on the Ingress.
     */
    Backend resolve(ObjectKey ingress, ServiceRef ref, BackendTls.Spec tls, Diagnostics diagnostics) {
        return resolve(ingress, ref, tls, false, diagnostics);
    }

    /**
     * {@link #resolve(ObjectKey, ServiceRef, BackendTls.Spec, Diagnostics)}, or with {@code clusterIp}
     * ({@code service-upstream}) the Service's cluster IP and port as its one endpoint, under an id that says so.
     */
    Backend resolve(ObjectKey ingress, ServiceRef ref, BackendTls.Spec tls, boolean clusterIp, Diagnostics diagnostics) {
        String port = ref.portNumber() != null ? String.valueOf(ref.portNumber()) : Objects.toString(ref.portName(), "");
        String id = Backend.idOf(ingress.clusterId(), ingress.namespace(), ref.name(), port)
                + (clusterIp ? SERVICE_UPSTREAM : "");
        Backend plain = built.get(id);
        if (plain == null) {
            plain = build(ingress, ref, id, port, clusterIp, diagnostics);
            built.put(id, plain);
        }
        problem(ingress, plain, diagnostics);
        Backend b = tls == null ? plain : tls.tls() ? overTls(ingress, ref, plain, tls) : overHttp2(plain);
        Backend known = resolved.putIfAbsent(b.id(), b);
        return known != null ? known : b;
    }

    /**
     * The plain backend's endpoints with TLS settings, under an id that includes them; none when the settings
     * are broken, so requests get 503 saying why instead of plain HTTP.
     */
    private Backend overTls(ObjectKey ingress, ServiceRef ref, Backend plain, BackendTls.Spec spec) {
        UpstreamTls tls = spec.forService(defaultServerName(ingress, ref));
        // Backend.idOf's suffixes, after the plain id (which may say service-upstream).
        String id = plain.id() + " " + tls.label() + (spec.protocol() == null ? "" : " " + spec.protocol());
        if (spec.problem() != null) {
            return new Backend(id, plain.cluster(), plain.namespace(), plain.service(), plain.servicePort(), List.of(),
                    TLS_NOT_SET_UP + spec.problem(), tls, spec.protocol());
        }
        return withEndpointsOf(plain, id, tls, spec.protocol());
    }

    private static final String TLS_NOT_SET_UP = "HTTPS to the backend is not set up: ";

    private static Backend withEndpointsOf(Backend plain, String id, UpstreamTls tls, String protocol) {
        return new Backend(id, plain.cluster(), plain.namespace(), plain.service(), plain.servicePort(),
                plain.endpoints(), plain.unavailableReason(), tls, protocol);
    }

    /** The plain backend's endpoints spoken to over HTTP/2 without TLS (GRPC, H2C), under an id that says so. */
    private static Backend overHttp2(Backend plain) {
        return withEndpointsOf(plain, plain.id() + " " + Backend.HTTP2, null, Backend.HTTP2);
    }

    /**
     * {@code previous} built again from the model's EndpointSlices, everything else about it unchanged: the same
     * backend a whole compile builds when only slices changed since {@code previous} was built (its Service, its
     * export and the clusters' liveness being the same). A backend over TLS or HTTP/2 keeps its settings and takes the
     * plain backend's endpoints, or stays as it is when its TLS settings are broken (it has none).
     */
    Backend rebuild(Backend previous) {
        String port = previous.servicePort();
        if (port == null || port.isEmpty() || previous.id().contains(SERVICE_UPSTREAM)
                || previous.tls() != null && Objects.toString(previous.unavailableReason(), "").startsWith(TLS_NOT_SET_UP)) {
            return previous;
        }
        // Kubernetes port names (IANA_SVC_NAME) contain a letter: an all-digit port is a number.
        ServiceRef ref = port.chars().allMatch(Character::isDigit) && port.length() < 10
                ? new ServiceRef(previous.service(), Integer.valueOf(port), null) : new ServiceRef(previous.service(), null, port);
        ObjectKey from = new ObjectKey(previous.cluster(), Kind.INGRESS, previous.namespace(), previous.service());
        Backend plain = build(from, ref, Backend.idOf(previous.cluster(), previous.namespace(), previous.service(), port), port,
                false, new Diagnostics());
        return previous.id().equals(plain.id()) ? plain
                : withEndpointsOf(plain, previous.id(), previous.tls(), previous.protocol());
    }

    /** The Service's cluster DNS name (service.namespace.svc), or an ExternalName Service's DNS name. */
    private String defaultServerName(ObjectKey ingress, ServiceRef ref) {
        StoredObject o = model.get(new ObjectKey(ingress.clusterId(), Kind.SERVICE, ingress.namespace(), ref.name()));
        if (o != null && o.state() instanceof ServiceState svc && "ExternalName".equals(svc.type())
                && svc.externalName() != null && !svc.externalName().isBlank()) {
            String n = svc.externalName().trim().toLowerCase(java.util.Locale.ROOT);
            return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
        }
        return ref.name() + "." + ingress.namespace() + ".svc";
    }

    private static void problem(ObjectKey ingress, Backend b, Diagnostics diagnostics) {
        if (b.unavailableReason() != null && !b.unavailableReason().startsWith("no ready endpoints")) {
            diagnostics.error(ingress, b.unavailableReason());
        }
    }

    /** What a {@code service-upstream} backend's id carries after the Service port: no EndpointSlice changes it. */
    static final String SERVICE_UPSTREAM = " service-upstream";

    /**
     * ingress-nginx's {@code service-upstream}: the Service's cluster IP and port as the one endpoint (kube-proxy
     * spreads the connections). A Service without a cluster IP (headless, ExternalName, or published by a watcher that
     * predates the field) cannot be used that way: no endpoint, and an error on the Ingress.
     */
    private static Backend viaClusterIp(ObjectKey ingress, ServiceRef ref, String id, String port, ServiceState svc,
                                        ServiceState.Port servicePort) {
        String ip = svc.clusterIP();
        if ("ExternalName".equals(svc.type()) || ip == null || ip.isBlank() || "None".equals(ip)) {
            return unavailable(ingress, ref, id, port, "service-upstream: service " + ingress.namespace() + "/"
                    + ref.name() + " has no cluster IP (" + ("ExternalName".equals(svc.type()) ? "an ExternalName Service"
                    : "None".equals(ip) ? "a headless Service" : "none published") + "); its requests get 503");
        }
        return new Backend(id, ingress.clusterId(), ingress.namespace(), ref.name(), port,
                List.of(new Endpoint(ip, servicePort.port())), null);
    }

    /** The backend of {@code ref}'s endpoints, or with {@code clusterIp} of its cluster IP ({@link #viaClusterIp}). */
    private Backend build(ObjectKey ingress, ServiceRef ref, String id, String port, boolean clusterIp,
                          Diagnostics diagnostics) {
        String svcName = ingress.namespace() + "/" + ref.name();
        if (ref.portNumber() == null && (ref.portName() == null || ref.portName().isEmpty())) {
            return unavailable(ingress, ref, id, port, "backend service " + svcName + " names no port");
        }
        StoredObject svcObject = model.get(new ObjectKey(ingress.clusterId(), Kind.SERVICE, ingress.namespace(), ref.name()));
        if (svcObject == null) {
            return unavailable(ingress, ref, id, port, "service " + svcName + " does not exist");
        }
        ServiceState svc = (ServiceState) svcObject.state();
        ServiceState.Port servicePort = svc.ports().stream()
                .filter(p -> ref.portNumber() != null ? p.port() == ref.portNumber() : ref.portName().equals(p.name()))
                .findFirst().orElse(null);
        if (servicePort == null) {
            return unavailable(ingress, ref, id, port, "service " + svcName + " has no port " + port);
        }
        if (clusterIp) {
            return viaClusterIp(ingress, ref, id, port, svc, servicePort);
        }
        if ("ExternalName".equals(svc.type())) {
            if (svc.externalName() == null || svc.externalName().isBlank()) {
                return unavailable(ingress, ref, id, port, "ExternalName service " + svcName + " has no externalName");
            }
            return new Backend(id, ingress.clusterId(), ingress.namespace(), ref.name(), port,
                    List.of(new Endpoint(svc.externalName(), servicePort.port())), null);
        }
        String portName = servicePort.name() == null ? "" : servicePort.name();
        String home = ingress.clusterId();
        // KEP-1645: a Service exported in the Ingress's cluster is the cluster set's Service: every cluster that
        // exports it contributes its endpoints, its port matched by name. One not exported stays local.
        List<String> members = exported(home, ingress.namespace(), ref.name())
                ? List.copyOf(exporters.get(ingress.namespace() + "/" + ref.name())) : List.of(home);
        Map<String, ClusterEndpoints> byCluster = new TreeMap<>();
        for (String c : members) {
            if (!c.equals(home) && !mergedPort(c, ingress, ref, servicePort, home, diagnostics)) {
                continue;
            }
            byCluster.put(c, endpointsOf(c, ingress.namespace(), ref.name(), portName, c.equals(home) ? null : c,
                    members.size() > 1));
        }
        if (members.size() > 1) {
            withdrawStale(byCluster);
        }
        TreeSet<Endpoint> ready = new TreeSet<>(ENDPOINT_ORDER);
        TreeSet<Endpoint> serving = new TreeSet<>(ENDPOINT_ORDER);
        byCluster.values().forEach(e -> {
            ready.addAll(e.ready());
            serving.addAll(e.serving());
        });
        List<Endpoint> endpoints = List.copyOf(!ready.isEmpty() ? ready : serving);
        String reason = endpoints.isEmpty() ? "no ready endpoints for service " + svcName + " port " + port : null;
        return new Backend(id, ingress.clusterId(), ingress.namespace(), ref.name(), port, endpoints, reason);
    }

    /** One cluster's ready endpoints, and those terminating but still serving, of one Service port. */
    private record ClusterEndpoints(List<Endpoint> ready, List<Endpoint> serving) {
        boolean any() {
            return !ready.isEmpty() || !serving.isEmpty();
        }
    }

    /**
     * The endpoints of Service {@code namespace/service} port {@code portName} in {@code cluster}.
     *
     * @param label  the endpoints' cluster field: null for the backend's own cluster
     * @param merged the Service is merged across clusters (only there is a stale cluster's endpoint marked)
     */
    private ClusterEndpoints endpointsOf(String cluster, String namespace, String service, String portName, String label,
                                         boolean merged) {
        ClusterSync sync = model.clusters().get(cluster);
        // Kept by configuration although the cluster is stale: say so on each endpoint (shown in /routes).
        Boolean stale = merged && sync != null && sync.stale() && sync.keepStale() ? Boolean.TRUE : null;
        TreeSet<Endpoint> ready = new TreeSet<>(ENDPOINT_ORDER);
        TreeSet<Endpoint> serving = new TreeSet<>(ENDPOINT_ORDER);
        List<EndpointSliceState> slices = slicesByNamespace.getOrDefault(cluster + "/" + namespace, NO_SLICES)
                .getOrDefault(service, List.of());
        for (EndpointSliceState slice : slices) {
            EndpointSliceState.Port slicePort = slice.ports().stream()
                    .filter(p -> portName.equals(p.name() == null ? "" : p.name()))
                    .findFirst().orElse(null);
            if (slicePort == null || slicePort.port() == null) {
                continue;
            }
            for (EndpointSliceState.Endpoint e : slice.endpoints()) {
                // EndpointConditions: a nil ready condition is to be read as ready.
                boolean isReady = e.ready() == null || e.ready();
                boolean isServing = e.serving() != null ? e.serving() : isReady;
                for (String address : e.addresses()) {
                    Endpoint endpoint = new Endpoint(address, slicePort.port(), label, e.zone(), stale);
                    if (isReady) {
                        ready.add(endpoint);
                    } else if (isServing) {
                        serving.add(endpoint);
                    }
                }
            }
        }
        return new ClusterEndpoints(List.copyOf(ready), List.copyOf(serving));
    }

    /**
     * Withdraws the endpoints of clusters recorded as stale (issue 14) from a merged Service, as long as a cluster
     * that is not withdrawn still has endpoints for it: a silent cluster's endpoints may be gone, but they are
     * better than none.
     */
    private void withdrawStale(Map<String, ClusterEndpoints> byCluster) {
        boolean othersServe = byCluster.entrySet().stream()
                .anyMatch(e -> !withdrawn(e.getKey()) && e.getValue().any());
        if (othersServe) {
            byCluster.keySet().removeIf(this::withdrawn);
        }
    }

    private boolean withdrawn(String cluster) {
        ClusterSync sync = model.clusters().get(cluster);
        return sync != null && sync.withdrawn();
    }

    /** Whether {@code cluster} has a ServiceExport of namespace/name. */
    private boolean exported(String cluster, String namespace, String name) {
        java.util.SortedSet<String> e = exporters.get(namespace + "/" + name);
        return e != null && e.contains(cluster);
    }

    /**
     * Whether another exporting cluster's Service can join the merged Service: it exists, is not ExternalName, and
     * has a port of the same name (KEP-1645 merges ports by name). A mismatch is a warning on that cluster's
     * ServiceExport, and that cluster's endpoints stay out.
     */
    private boolean mergedPort(String cluster, ObjectKey ingress, ServiceRef ref, ServiceState.Port homePort, String home,
                               Diagnostics diagnostics) {
        ObjectKey export = new ObjectKey(cluster, Kind.SERVICE_EXPORT, ingress.namespace(), ref.name());
        String svcName = ingress.namespace() + "/" + ref.name();
        StoredObject o = model.get(new ObjectKey(cluster, Kind.SERVICE, ingress.namespace(), ref.name()));
        if (o == null) {
            diagnostics.warning(export, "exported Service " + svcName + " does not exist in cluster " + cluster
                    + "; nothing of it joins the cluster set");
            return false;
        }
        ServiceState svc = (ServiceState) o.state();
        if ("ExternalName".equals(svc.type())) {
            diagnostics.warning(export, "exported Service " + svcName + " is an ExternalName Service in cluster " + cluster
                    + "; it has no endpoints to merge");
            return false;
        }
        String name = homePort.name() == null ? "" : homePort.name();
        ServiceState.Port p = svc.ports().stream().filter(x -> name.equals(x.name() == null ? "" : x.name()))
                .findFirst().orElse(null);
        if (p == null) {
            diagnostics.warning(export, "exported Service " + svcName + " has no port named \"" + name + "\" in cluster "
                    + cluster + " (cluster " + home + " routes to it, as port " + homePort.port()
                    + "); ports merge by name, so its endpoints are left out");
            return false;
        }
        if (p.port() != homePort.port()) {
            diagnostics.warning(export, "exported Service " + svcName + ": port \"" + name + "\" is " + p.port()
                    + " in cluster " + cluster + " but " + homePort.port() + " in cluster " + home
                    + "; merged by name (traffic goes to each endpoint's own target port)");
        }
        return true;
    }

    /**
     * What a route to {@code ref} from {@code ingress} sends to when that is the cluster set's Service (exported
     * in the Ingress's cluster, its port resolved): "namespace/name:portName", the same from every cluster. Empty
     * for a local Service. Two clusters' routes with the same merged target are one route.
     */
    Optional<String> mergedTarget(ObjectKey ingress, ServiceRef ref) {
        if (ref == null || ref.name() == null || !exported(ingress.clusterId(), ingress.namespace(), ref.name())) {
            return Optional.empty();
        }
        StoredObject o = model.get(new ObjectKey(ingress.clusterId(), Kind.SERVICE, ingress.namespace(), ref.name()));
        if (o == null || "ExternalName".equals(((ServiceState) o.state()).type())) {
            return Optional.empty();
        }
        return ((ServiceState) o.state()).ports().stream()
                .filter(p -> ref.portNumber() != null ? p.port() == ref.portNumber() : Objects.equals(ref.portName(), p.name()))
                .findFirst()
                .map(p -> ingress.namespace() + "/" + ref.name() + ":" + (p.name() == null ? "" : p.name()));
    }

    private static Backend unavailable(ObjectKey ingress, ServiceRef ref, String id, String port, String reason) {
        return new Backend(id, ingress.clusterId(), ingress.namespace(), ref.name(), port, List.of(), reason);
    }

    private static final java.util.Comparator<Endpoint> ENDPOINT_ORDER =
            java.util.Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port)
                    .thenComparing(Endpoint::cluster, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                    .thenComparing(Endpoint::zone, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));

    /** Backends that were resolved, by id. */
    Map<String, Backend> resolved() {
        return resolved;
    }
}
