package dev.signalbox.watcher.convert;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.event.AuthSecretState;
import dev.signalbox.schemas.event.ConfigMapState;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns fabric8 objects into the routing-relevant {@link ObjectState} of the events topic, dropping
 * what routing ignores (status, managedFields, labels, annotations routing does not read). Both
 * sources use it, so the Kubernetes and the manifests source publish the same events. Pure and
 * stateless; any thread.
 */
public final class StateConverter {
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    public static final String DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class";
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String TLS_SECRET_TYPE = "kubernetes.io/tls";
    /** The type of the Secrets basic authentication reads ({@code kubectl create secret generic}); also the default. */
    public static final String OPAQUE_SECRET_TYPE = "Opaque";
    /**
     * The most data of an auth Secret published: an htpasswd file of about 900 bcrypt users. The sealed data travels
     * in every route of the Ingresses that name it, so a Secret named by mistake (a large one) must not swell them.
     */
    static final int MAX_AUTH_SECRET_BYTES = 64 * 1024;
    /**
     * The most data of a ConfigMap of header fields published: its fields travel in every route of the Ingresses that
     * name it, so a ConfigMap named by mistake (a large one) must not swell them.
     */
    static final int MAX_CONFIG_MAP_BYTES = 64 * 1024;

    private StateConverter() {
    }

    /**
     * The kind Signalbox routes from, or empty for any other object (Deployments, Secrets of other types).
     * An Opaque Secret is of kind Secret here, and a ConfigMap of kind ConfigMap, but each is published only while an
     * Ingress names it (basic authentication, header fields): the sources filter with {@link ReferencedObjects}.
     */
    public static Optional<Kind> kindOf(HasMetadata o) {
        if (o instanceof Ingress) {
            return Optional.of(Kind.INGRESS);
        } else if (o instanceof IngressClass) {
            return Optional.of(Kind.INGRESS_CLASS);
        } else if (o instanceof Service) {
            return Optional.of(Kind.SERVICE);
        } else if (o instanceof EndpointSlice) {
            return Optional.of(Kind.ENDPOINT_SLICE);
        } else if (o instanceof Secret s && (TLS_SECRET_TYPE.equals(s.getType()) || isOpaque(s))) {
            return Optional.of(Kind.SECRET);
        } else if (o instanceof io.fabric8.kubernetes.api.model.ConfigMap) {
            return Optional.of(Kind.CONFIG_MAP);
        } else if (isServiceExport(o)) {
            return Optional.of(Kind.SERVICE_EXPORT);
        }
        return Optional.empty();
    }

    /** The group of ServiceExport (KEP-1645); any version of it is read the same: the object's identity is all that counts. */
    public static final String MCS_GROUP = "multicluster.x-k8s.io";
    public static final String SERVICE_EXPORT_KIND = "ServiceExport";

    /**
     * A multicluster.x-k8s.io ServiceExport: fabric8 has no model class for it, so it arrives as a
     * GenericKubernetesResource (from the manifests parser and from a generic informer alike).
     */
    static boolean isServiceExport(HasMetadata o) {
        return o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource
                && SERVICE_EXPORT_KIND.equals(o.getKind())
                && o.getApiVersion() != null && o.getApiVersion().startsWith(MCS_GROUP + "/");
    }

    /** The key of {@code o} in cluster {@code clusterId}, if it is a kind Signalbox routes from. */
    public static Optional<ObjectKey> keyOf(String clusterId, HasMetadata o) {
        return kindOf(o).map(kind -> new ObjectKey(clusterId, kind,
                kind == Kind.INGRESS_CLASS ? "" : nullToEmpty(o.getMetadata().getNamespace()),
                o.getMetadata().getName()));
    }

    /**
     * Key, uid, resourceVersion and state of {@code o}, or empty for kinds Signalbox does not route from.
     *
     * @param keys seals TLS private keys; when empty, keys are left out and the state says why
     */
    public static Optional<Observed> convert(String clusterId, HasMetadata o, KeyRing keys) {
        return keyOf(clusterId, o).map(key -> new Observed(key, o.getMetadata().getUid(),
                o.getMetadata().getResourceVersion(), state(o, key, keys)));
    }

    static ObjectState state(HasMetadata o, ObjectKey key, KeyRing keys) {
        if (o instanceof Ingress i) {
            return ingress(i);
        } else if (o instanceof IngressClass c) {
            return new IngressClassState(c.getSpec() == null ? null : c.getSpec().getController(),
                    "true".equals(annotations(c.getMetadata()).get(DEFAULT_CLASS)));
        } else if (o instanceof Service s) {
            return service(s);
        } else if (o instanceof EndpointSlice e) {
            return endpointSlice(e);
        } else if (o instanceof Secret s) {
            return isOpaque(s) ? authSecret(s, key, keys) : tlsSecret(s, key, keys);
        } else if (o instanceof io.fabric8.kubernetes.api.model.ConfigMap c) {
            return configMap(c);
        } else if (isServiceExport(o)) {
            return new dev.signalbox.schemas.event.ServiceExportState(timestamp(o.getMetadata().getCreationTimestamp()));
        }
        throw new IllegalArgumentException("not a routed kind: " + o.getKind());
    }

    private static IngressState ingress(Ingress i) {
        Map<String, String> annotations = new HashMap<>(annotations(i.getMetadata()));
        annotations.keySet().removeIf(k -> !routedAnnotation(k));
        IngressSpec spec = i.getSpec();
        List<IngressState.TlsEntry> tls = new ArrayList<>();
        List<IngressState.Rule> rules = new ArrayList<>();
        if (spec != null) {
            for (var t : nullToEmpty(spec.getTls())) {
                tls.add(new IngressState.TlsEntry(t.getHosts(), t.getSecretName()));
            }
            for (IngressRule r : nullToEmpty(spec.getRules())) {
                List<IngressState.PathRule> paths = new ArrayList<>();
                if (r.getHttp() != null) {
                    for (HTTPIngressPath p : nullToEmpty(r.getHttp().getPaths())) {
                        paths.add(new IngressState.PathRule(p.getPath(), p.getPathType(), backend(p.getBackend())));
                    }
                }
                rules.add(new IngressState.Rule(r.getHost(), paths));
            }
        }
        return new IngressState(spec == null ? null : spec.getIngressClassName(), annotations,
                timestamp(i.getMetadata().getCreationTimestamp()),
                spec == null ? null : backend(spec.getDefaultBackend()), tls, rules);
    }

    private static IngressState.BackendRef backend(IngressBackend b) {
        if (b == null) {
            return null;
        }
        IngressState.ServiceRef service = null;
        if (b.getService() != null) {
            var port = b.getService().getPort();
            service = new IngressState.ServiceRef(b.getService().getName(),
                    port == null ? null : port.getNumber(), port == null ? null : port.getName());
        }
        IngressState.ResourceRef resource = null;
        if (b.getResource() != null) {
            resource = new IngressState.ResourceRef(b.getResource().getApiGroup(), b.getResource().getKind(),
                    b.getResource().getName());
        }
        return new IngressState.BackendRef(service, resource);
    }

    private static ServiceState service(Service s) {
        var spec = s.getSpec();
        if (spec == null) {
            return new ServiceState("ClusterIP", null, List.of());
        }
        List<ServiceState.Port> ports = new ArrayList<>();
        for (ServicePort p : nullToEmpty(spec.getPorts())) {
            ports.add(new ServiceState.Port(p.getName(), p.getPort() == null ? 0 : p.getPort(),
                    intOrString(p.getTargetPort()), p.getProtocol() == null ? "TCP" : p.getProtocol()));
        }
        // spec.type defaults to ClusterIP in the API server; a manifest may leave it out.
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        boolean external = "ExternalName".equals(type);
        // spec.clusterIP: assigned by the API server ("None" for a headless Service); a manifest may carry it or not.
        String clusterIp = external || spec.getClusterIP() == null || spec.getClusterIP().isBlank() ? null
                : spec.getClusterIP();
        return new ServiceState(type, external ? spec.getExternalName() : null, ports, clusterIp);
    }

    private static String intOrString(IntOrString v) {
        if (v == null) {
            return null;
        }
        return v.getIntVal() != null ? String.valueOf(v.getIntVal()) : v.getStrVal();
    }

    private static EndpointSliceState endpointSlice(EndpointSlice e) {
        List<EndpointSliceState.Port> ports = new ArrayList<>();
        for (var p : nullToEmpty(e.getPorts())) {
            ports.add(new EndpointSliceState.Port(p.getName(), p.getPort(), p.getProtocol() == null ? "TCP" : p.getProtocol()));
        }
        List<EndpointSliceState.Endpoint> endpoints = new ArrayList<>();
        for (var ep : nullToEmpty(e.getEndpoints())) {
            var c = ep.getConditions();
            endpoints.add(new EndpointSliceState.Endpoint(ep.getAddresses(),
                    c == null ? null : c.getReady(), c == null ? null : c.getServing(), c == null ? null : c.getTerminating(),
                    ep.getZone()));
        }
        Map<String, String> labels = e.getMetadata().getLabels();
        return new EndpointSliceState(labels == null ? null : labels.get(SERVICE_NAME_LABEL), e.getAddressType(),
                ports, endpoints);
    }

    /**
     * A ConfigMap's data (its binaryData left out: header fields are text), or, beyond {@link #MAX_CONFIG_MAP_BYTES},
     * none with the reason.
     */
    private static ConfigMapState configMap(io.fabric8.kubernetes.api.model.ConfigMap c) {
        Map<String, String> data = c.getData() == null ? Map.of() : c.getData();
        long size = 0;
        for (Map.Entry<String, String> e : data.entrySet()) {
            size += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
        }
        if (size > MAX_CONFIG_MAP_BYTES) {
            return new ConfigMapState(Map.of(), "its data is " + size + " characters, more than the "
                    + MAX_CONFIG_MAP_BYTES + " a ConfigMap of header fields may have");
        }
        Map<String, String> copy = new java.util.TreeMap<>();
        data.forEach((k, v) -> copy.put(k, v == null ? "" : v));
        return new ConfigMapState(copy, null);
    }

    /** An Opaque Secret (a manifest may leave the type out: the API server's default is Opaque). */
    public static boolean isOpaque(Secret s) {
        return s.getType() == null || OPAQUE_SECRET_TYPE.equals(s.getType());
    }

    /**
     * An Opaque Secret's data, sealed whole for its cluster/namespace/name as a JSON object of its keys (sorted, so
     * the same data seals the same) and their values as UTF-8 text; left out, with the reason, without a
     * key-encryption key or beyond {@link #MAX_AUTH_SECRET_BYTES}.
     */
    private static AuthSecretState authSecret(Secret s, ObjectKey key, KeyRing keys) {
        Map<String, String> data = new java.util.TreeMap<>();
        Map<String, String> raw = s.getData() == null ? Map.of() : s.getData();
        raw.forEach((k, v) -> data.put(k, decode(v)));
        if (s.getStringData() != null) {
            data.putAll(s.getStringData());
        }
        if (keys.isEmpty()) {
            return new AuthSecretState(null, "the watcher has no key-encryption key (--encryption-keys or "
                    + "SIGNALBOX_ENCRYPTION_KEYS), so it does not publish the data of auth Secrets");
        }
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (json.length > MAX_AUTH_SECRET_BYTES) {
            return new AuthSecretState(null, "its data is " + json.length + " bytes, more than the "
                    + MAX_AUTH_SECRET_BYTES + " an auth Secret may have");
        }
        return new AuthSecretState(keys.seal(json, TlsSecretState.sealingContext(key.clusterId(), key.namespace(),
                key.name())), null);
    }

    /**
     * A TLS Secret missing a key still converts, with a null field, so that the compiler can say what is
     * wrong. tls.key is sealed here, before anything else sees it, for the Secret's cluster/namespace/name.
     */
    private static TlsSecretState tlsSecret(Secret s, ObjectKey key, KeyRing keys) {
        Map<String, String> data = new HashMap<>(s.getData() == null ? Map.of() : s.getData());
        // stringData is write-only and merged into data by the API server; manifests carry it as written.
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        }
        String pem = decode(data.get("tls.key"));
        SealedKey sealed = null;
        String notPublished = null;
        if (pem != null && !pem.isBlank()) {
            if (keys.isEmpty()) {
                notPublished = "the watcher has no key-encryption key (--encryption-keys or SIGNALBOX_ENCRYPTION_KEYS),"
                        + " so it does not publish private keys";
            } else {
                sealed = keys.seal(pem.getBytes(StandardCharsets.UTF_8),
                        TlsSecretState.sealingContext(key.clusterId(), key.namespace(), key.name()));
            }
        }
        return new TlsSecretState(decode(data.get("tls.crt")), sealed, decode(data.get("ca.crt")), notPublished);
    }

    private static String decode(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            return new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // Not base64: publish it as is and let the compiler's PEM check report it.
            return base64;
        }
    }

    private static Instant timestamp(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(rfc3339);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Annotations routing may read: the legacy class annotation, Signalbox's own, and ingress-nginx's (kept
     * so that its users' settings can be honoured or diagnosed). Everything else (kubectl's last-applied
     * configuration, tooling metadata, which can be large) is not part of the event.
     */
    static boolean routedAnnotation(String key) {
        return key.equals("kubernetes.io/ingress.class") || key.startsWith("signalbox.dev/")
                || key.startsWith("nginx.ingress.kubernetes.io/");
    }

    private static Map<String, String> annotations(ObjectMeta meta) {
        return meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    }

    private static <T> List<T> nullToEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
