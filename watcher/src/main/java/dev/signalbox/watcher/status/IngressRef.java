package dev.signalbox.watcher.status;

import java.util.Comparator;
import java.util.Optional;

/** An Ingress of this watcher's cluster, by namespace and name. */
public record IngressRef(String namespace, String name) implements Comparable<IngressRef> {
    private static final Comparator<IngressRef> ORDER = Comparator.comparing(IngressRef::namespace).thenComparing(IngressRef::name);

    /** Reads a snapshot's "cluster/namespace/name" entry; empty when it belongs to another cluster. */
    public static Optional<IngressRef> fromSnapshotEntry(String clusterId, String entry) {
        String prefix = clusterId + "/";
        if (!entry.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = entry.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new IngressRef(rest.substring(0, slash), rest.substring(slash + 1)));
    }

    @Override
    public int compareTo(IngressRef o) {
        return ORDER.compare(this, o);
    }
}
