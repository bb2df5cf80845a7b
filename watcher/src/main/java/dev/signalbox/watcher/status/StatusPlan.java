package dev.signalbox.watcher.status;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which Ingresses need a status write. An Ingress the latest snapshot lists as ours gets the
 * configured addresses; one it does not list loses a status that carries one of our addresses or that
 * this leader wrote. An Ingress whose status already is what it should be is not written, so a
 * notification about our own write ends here (no write storms). Only Ingresses in the informer cache are
 * considered: one listed but not yet seen is written when the informer delivers it.
 */
public final class StatusPlan {
    private StatusPlan() {
    }

    /** Set an Ingress's {@code status.loadBalancer.ingress} to {@code addresses} (empty = clear it). */
    public record Write(IngressRef ingress, List<LbAddress> addresses) {
        public Write {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * @param clusterId  only this cluster's entries of {@code listed} count
     * @param listed     the latest snapshot's {@code ingresses()} ("cluster/namespace/name")
     * @param addresses  what Signalbox publishes (static or copied from a Service); may be empty
     * @param current    every Ingress in the informer cache with its current status
     * @param written    Ingresses this leader set a non-empty status on during its term
     * @return the writes, sorted by Ingress
     */
    public static List<Write> writes(String clusterId, List<String> listed, List<LbAddress> addresses,
                                     Map<IngressRef, List<LbAddress>> current, Set<IngressRef> written) {
        Set<IngressRef> ours = new HashSet<>();
        listed.forEach(e -> IngressRef.fromSnapshotEntry(clusterId, e).ifPresent(ours::add));
        List<LbAddress> desired = LbAddress.normalize(addresses);
        List<Write> out = new ArrayList<>();
        for (Map.Entry<IngressRef, List<LbAddress>> e : new TreeMap<>(current).entrySet()) {
            List<LbAddress> now = LbAddress.normalize(e.getValue());
            if (ours.contains(e.getKey())) {
                if (!now.equals(desired)) {
                    out.add(new Write(e.getKey(), desired));
                }
            } else if (!now.isEmpty() && (written.contains(e.getKey()) || now.stream().anyMatch(desired::contains))) {
                out.add(new Write(e.getKey(), List.of()));
            }
        }
        return out;
    }
}
