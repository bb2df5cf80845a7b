package dev.signalbox.compiler.model;

import java.time.Instant;

/**
 * What the events log says about one cluster: its initial state (issue 21) and its liveness (issue 14).
 *
 * @param transactional the cluster's watcher writes in marked transactions (a watcher that writes sync
 *                      markers); a cluster known only from unmarked events (an older watcher, a tool) is
 *                      never waited for
 * @param syncedEpoch   the highest leader epoch whose sync marker was read, or -1 before any
 * @param leaderEpoch   the highest leader epoch of any record of the cluster (events, markers, heartbeats)
 * @param lastHeartbeat the observedAt of the cluster's latest heartbeat, or null when it never sent one (an older
 *                      watcher: never judged stale)
 * @param stale         the compiler recorded the cluster as silent ({@code ClusterLiveness} STALE) and no heartbeat
 *                      came since
 * @param keepStale     when stale: its endpoints stay in merged Services, marked stale, instead of being withdrawn
 * @param removed       {@code bin/ingress cluster remove} removed it ({@code ClusterLiveness} REMOVED) and no heartbeat
 *                      came since: never waited for, judged or diagnosed. A flag, not a missing entry: the cluster's
 *                      object events in other partitions may be folded after the removal, and must not bring it back
 *
 * <p>Every field is either folded commutatively from records of any partition (transactional, the epochs) or only
 * from the cluster's liveness partition, in its order (heartbeats and decisions), so the fold does not depend on how
 * partitions interleave: a replay gives the same clusters.
 */
public record ClusterSync(boolean transactional, long syncedEpoch, long leaderEpoch, Instant lastHeartbeat,
                          boolean stale, boolean keepStale, boolean removed) {
    public static final ClusterSync UNKNOWN = new ClusterSync(false, -1);

    @com.fasterxml.jackson.annotation.JsonCreator
    public ClusterSync {
    }

    public ClusterSync(boolean transactional, long syncedEpoch) {
        this(transactional, syncedEpoch, 0, null, false, false, false);
    }

    public boolean synced() {
        return syncedEpoch >= 0;
    }

    /** A watcher of this cluster is writing, but its initial list is not in the log (yet). */
    public boolean awaitingSync() {
        return transactional && !synced() && !removed;
    }

    /** Stale with its endpoints withdrawn from merged Services that another cluster serves. */
    public boolean withdrawn() {
        return stale && !keepStale;
    }

    ClusterSync withSync(boolean isTransactional, long synced) {
        return new ClusterSync(isTransactional, synced, leaderEpoch, lastHeartbeat, stale, keepStale, removed);
    }

    ClusterSync withEpoch(long epoch) {
        return epoch <= leaderEpoch ? this
                : new ClusterSync(transactional, syncedEpoch, epoch, lastHeartbeat, stale, keepStale, removed);
    }

    ClusterSync heartbeat(Instant at) {
        return new ClusterSync(transactional, syncedEpoch, leaderEpoch, at, false, false, false);
    }

    ClusterSync stale(boolean keep) {
        return new ClusterSync(transactional, syncedEpoch, leaderEpoch, lastHeartbeat, true, keep, removed);
    }

    ClusterSync remove() {
        return new ClusterSync(transactional, syncedEpoch, leaderEpoch, lastHeartbeat, false, false, true);
    }
}
