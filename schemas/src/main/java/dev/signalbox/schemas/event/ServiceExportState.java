package dev.signalbox.schemas.event;

import java.time.Instant;

/**
 * multicluster.x-k8s.io/v1alpha1 ServiceExport (KEP-1645 Multi-Cluster Services): its existence makes the Service
 * of the same namespace and name part of the cluster set, so Ingresses of every cluster exporting it route to the
 * ready endpoints of all of them. The spec is empty; only the object's identity matters.
 *
 * @param creationTimestamp metadata.creationTimestamp, or null (manifests usually have none)
 */
public record ServiceExportState(Instant creationTimestamp) implements ObjectState {
    @Override
    public Kind kind() {
        return Kind.SERVICE_EXPORT;
    }
}
