package dev.signalbox.watcher.convert;

import dev.signalbox.schemas.event.AuthSecretState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Opaque Secrets the watcher publishes: only those an Ingress names for basic authentication
 * ({@link AuthSecretState#referencedBy}), never the cluster's other Secrets (application credentials, Helm
 * releases), which have no business in Kafka. Pure; any thread.
 */
public final class AuthSecrets {
    private AuthSecrets() {
    }

    /** The key of the Secret {@code ingress} names for basic authentication, or empty. */
    public static List<ObjectKey> referencedBy(String clusterId, Ingress ingress) {
        if (ingress == null || ingress.getMetadata() == null || ingress.getMetadata().getAnnotations() == null) {
            return List.of();
        }
        String ns = ingress.getMetadata().getNamespace() == null ? "" : ingress.getMetadata().getNamespace();
        String name = AuthSecretState.referencedBy(ns, ingress.getMetadata().getAnnotations());
        return name == null ? List.of() : List.of(new ObjectKey(clusterId, Kind.SECRET, ns, name));
    }

    /** {@code objects} without the auth Secrets that none of its Ingresses names. */
    public static Map<ObjectKey, Observed> keepReferenced(Map<ObjectKey, Observed> objects) {
        Set<ObjectKey> named = new HashSet<>();
        for (Observed o : objects.values()) {
            if (o.state() instanceof IngressState ing) {
                String name = AuthSecretState.referencedBy(o.key().namespace(), ing.annotations());
                if (name != null) {
                    named.add(new ObjectKey(o.key().clusterId(), Kind.SECRET, o.key().namespace(), name));
                }
            }
        }
        Map<ObjectKey, Observed> out = new HashMap<>(objects);
        out.values().removeIf(o -> o.state() instanceof AuthSecretState && !named.contains(o.key()));
        return out;
    }
}
