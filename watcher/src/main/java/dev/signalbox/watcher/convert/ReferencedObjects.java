package dev.signalbox.watcher.convert;

import dev.signalbox.schemas.event.AuthSecretState;
import dev.signalbox.schemas.event.ConfigMapState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Opaque Secrets and ConfigMaps the watcher publishes: only those an Ingress of their namespace names, the
 * Secrets for basic authentication ({@link AuthSecretState#referencedBy}) and the ConfigMaps for header fields
 * ({@link ConfigMapState#referencedBy}: {@code custom-headers}, {@code signalbox.dev/proxy-set-headers}), never the
 * cluster's others (application credentials and settings, Helm releases), which have no business in Kafka. Pure; any
 * thread.
 */
public final class ReferencedObjects {
    private ReferencedObjects() {
    }

    /** The keys of the Secret and ConfigMaps {@code ingress} names, or empty. */
    public static List<ObjectKey> referencedBy(String clusterId, Ingress ingress) {
        if (ingress == null || ingress.getMetadata() == null || ingress.getMetadata().getAnnotations() == null) {
            return List.of();
        }
        String ns = ingress.getMetadata().getNamespace() == null ? "" : ingress.getMetadata().getNamespace();
        return referencedBy(clusterId, ns, ingress.getMetadata().getAnnotations());
    }

    /** {@code objects} without the auth Secrets and ConfigMaps that none of its Ingresses names. */
    public static Map<ObjectKey, Observed> keepReferenced(Map<ObjectKey, Observed> objects) {
        Set<ObjectKey> named = new HashSet<>();
        for (Observed o : objects.values()) {
            if (o.state() instanceof IngressState ing) {
                named.addAll(referencedBy(o.key().clusterId(), o.key().namespace(), ing.annotations()));
            }
        }
        Map<ObjectKey, Observed> out = new HashMap<>(objects);
        out.values().removeIf(o -> (o.state() instanceof AuthSecretState || o.state() instanceof ConfigMapState)
                && !named.contains(o.key()));
        return out;
    }

    private static List<ObjectKey> referencedBy(String clusterId, String ns, Map<String, String> annotations) {
        List<ObjectKey> out = new ArrayList<>();
        String secret = AuthSecretState.referencedBy(ns, annotations);
        if (secret != null) {
            out.add(new ObjectKey(clusterId, Kind.SECRET, ns, secret));
        }
        for (String configMap : ConfigMapState.referencedBy(ns, annotations)) {
            out.add(new ObjectKey(clusterId, Kind.CONFIG_MAP, ns, configMap));
        }
        return out;
    }
}
