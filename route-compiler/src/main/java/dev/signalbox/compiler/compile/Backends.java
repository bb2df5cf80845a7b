package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
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
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolves an Ingress's Service backend to a {@link Backend}: the Service port named by number or name,
 * then the EndpointSlice port of the same name (which carries the resolved targetPort), then the
 * endpoints traffic may go to. Only ready endpoints are used; when none is ready, serving endpoints
 * (terminating but still serving) are used, as kube-proxy does. An ExternalName Service resolves to its
 * DNS name on the Service port, as ingress-nginx does. A backend spoken to over TLS is the same Service
 * port under another id (the settings are part of it), so Ingresses with different settings do not collide.
 */
final class Backends {
    private static final Map<String, List<EndpointSliceState>> NO_SLICES = Map.of();

    private final ClusterModel model;
    private final Map<String, Map<String, List<EndpointSliceState>>> slicesByNamespace = new HashMap<>();
    /** Plain backends built so far, by id, whether or not a route uses them as they are. */
    private final Map<String, Backend> built = new HashMap<>();
    private final Map<String, Backend> resolved = new TreeMap<>();

    Backends(ClusterModel model) {
        this.model = model;
        for (StoredObject o : model.ofKind(Kind.ENDPOINT_SLICE)) {
            EndpointSliceState s = (EndpointSliceState) o.state();
            if (s.serviceName() == null) {
                continue;
            }
            slicesByNamespace.computeIfAbsent(o.key().clusterId() + "/" + o.key().namespace(), k -> new HashMap<>())
                    .computeIfAbsent(s.serviceName(), k -> new ArrayList<>()).add(s);
        }
    }

    /**
     * The backend for {@code ref} seen from {@code ingress}, spoken to over TLS with {@code tls} (null: plain
     * HTTP); problems are reported on the Ingress.
     */
    Backend resolve(ObjectKey ingress, ServiceRef ref, BackendTls.Spec tls, Diagnostics diagnostics) {
        String port = ref.portNumber() != null ? String.valueOf(ref.portNumber()) : Objects.toString(ref.portName(), "");
        String id = Backend.idOf(ingress.clusterId(), ingress.namespace(), ref.name(), port);
        Backend plain = built.get(id);
        if (plain == null) {
            plain = build(ingress, ref, id, port);
            built.put(id, plain);
        }
        problem(ingress, plain, diagnostics);
        Backend b = tls == null ? plain : overTls(ingress, ref, plain, tls);
        Backend known = resolved.putIfAbsent(b.id(), b);
        return known != null ? known : b;
    }

    /**
     * The plain backend's endpoints with TLS settings, under an id that includes them; none when the settings
     * are broken, so requests get 503 saying why instead of plain HTTP.
     */
    private Backend overTls(ObjectKey ingress, ServiceRef ref, Backend plain, BackendTls.Spec spec) {
        UpstreamTls tls = spec.forService(defaultServerName(ingress, ref));
        String id = Backend.idOf(plain.cluster(), plain.namespace(), plain.service(), plain.servicePort(), tls);
        if (spec.problem() != null) {
            return new Backend(id, plain.cluster(), plain.namespace(), plain.service(), plain.servicePort(), List.of(),
                    "HTTPS to the backend is not set up: " + spec.problem(), tls);
        }
        return new Backend(id, plain.cluster(), plain.namespace(), plain.service(), plain.servicePort(),
                plain.endpoints(), plain.unavailableReason(), tls);
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

    private Backend build(ObjectKey ingress, ServiceRef ref, String id, String port) {
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
        if ("ExternalName".equals(svc.type())) {
            if (svc.externalName() == null || svc.externalName().isBlank()) {
                return unavailable(ingress, ref, id, port, "ExternalName service " + svcName + " has no externalName");
            }
            return new Backend(id, ingress.clusterId(), ingress.namespace(), ref.name(), port,
                    List.of(new Endpoint(svc.externalName(), servicePort.port())), null);
        }
        String portName = servicePort.name() == null ? "" : servicePort.name();
        TreeSet<Endpoint> ready = new TreeSet<>(ENDPOINT_ORDER);
        TreeSet<Endpoint> serving = new TreeSet<>(ENDPOINT_ORDER);
        List<EndpointSliceState> slices = slicesByNamespace
                .getOrDefault(ingress.clusterId() + "/" + ingress.namespace(), NO_SLICES)
                .getOrDefault(ref.name(), List.of());
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
                    Endpoint endpoint = new Endpoint(address, slicePort.port(), null, e.zone());
                    if (isReady) {
                        ready.add(endpoint);
                    } else if (isServing) {
                        serving.add(endpoint);
                    }
                }
            }
        }
        List<Endpoint> endpoints = List.copyOf(!ready.isEmpty() ? ready : serving);
        String reason = endpoints.isEmpty() ? "no ready endpoints for service " + svcName + " port " + port : null;
        return new Backend(id, ingress.clusterId(), ingress.namespace(), ref.name(), port, endpoints, reason);
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
