package dev.signalbox.watcher.k8s;

import dev.signalbox.schemas.event.Kind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Optional;

/** Whole cached objects, status included, as {@link KubeStatus} reads them ({@link InformerCaches}). */
public interface CachedObjects {
    /** The cached object of {@code kind} (namespace "" for cluster-scoped kinds). */
    Optional<HasMetadata> object(Kind kind, String namespace, String name);

    /** Every cached Ingress. */
    List<Ingress> ingresses();
}
