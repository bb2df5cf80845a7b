package dev.signalbox.compiler.model;

/**
 * What the events log says about one cluster's initial state (issue 21).
 *
 * @param transactional the cluster's watcher writes in marked transactions (a watcher that writes sync
 *                      markers); a cluster known only from unmarked events (an older watcher, a tool) is
 *                      never waited for
 * @param syncedEpoch   the highest leader epoch whose sync marker was read, or -1 before any
 */
public record ClusterSync(boolean transactional, long syncedEpoch) {
    public static final ClusterSync UNKNOWN = new ClusterSync(false, -1);

    public boolean synced() {
        return syncedEpoch >= 0;
    }

    /** A watcher of this cluster is writing, but its initial list is not in the log (yet). */
    public boolean awaitingSync() {
        return transactional && !synced();
    }
}
