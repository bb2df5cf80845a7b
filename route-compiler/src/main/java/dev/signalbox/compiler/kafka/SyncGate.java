package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.model.ClusterSync;
import java.util.Map;

/**
 * Whether the compiler may publish, as far as the clusters' initial lists go (issue 21): a proxy must
 * never become ready on a table that lacks a running cluster's initial state. Nothing is published before
 * some cluster has written; and while a cluster's watcher writes but the end of its initial list (its
 * sync marker) is not in the log, nothing is published, unless it has been waiting longer than the sync
 * timeout: then it gets a diagnostic in the table and holds the others back no longer. A cluster whose
 * watcher writes whole transactions never waits here in practice: its list and marker are one transaction.
 * Pure: the caller passes the time and when each cluster started waiting.
 */
final class SyncGate {
    private SyncGate() {
    }

    /** May the compiler publish now, and if not, why (for the log). */
    record Verdict(boolean publish, String reason) {
    }

    /**
     * @param clusters      what the model says about each cluster
     * @param awaitingSince when this compiler first saw each cluster awaiting its sync (nanoseconds)
     */
    static Verdict decide(Map<String, ClusterSync> clusters, Map<String, Long> awaitingSince, long now,
                          long timeoutNanos) {
        if (clusters.isEmpty()) {
            return new Verdict(false, "no cluster has written to the events log yet");
        }
        for (Map.Entry<String, ClusterSync> c : clusters.entrySet()) {
            if (c.getValue().awaitingSync()) {
                Long since = awaitingSince.get(c.getKey());
                if (since == null || now - since < timeoutNanos) {
                    return new Verdict(false, "waiting for the end of cluster " + c.getKey() + "'s initial list");
                }
            }
        }
        return new Verdict(true, "");
    }
}
