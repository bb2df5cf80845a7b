package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.model.ClusterSync;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which clusters the compiler should now record as stale (issue 14): those that sent heartbeats (a watcher that
 * does not is never judged), are not stale already, and of which this compiler has read nothing for longer than
 * the configured time. A cluster it has not heard from since it started counts from the first time it asks, so a
 * restarted compiler grants every cluster the whole time again. Nobody is judged while the compiler heard no
 * cluster at all within that time: then the silence is more likely its own (Kafka unreachable, the compiler
 * stalled) than every cluster's, and a lone cluster is never judged (nothing else could serve its Services anyway).
 * The decision is only proposed here: the loop
 * writes it to the events log and it takes effect when read back, in the log's order, as in every replay. Pure:
 * the caller passes the time (System.nanoTime()). Owned by the compiler loop's thread.
 */
final class StaleClusters {
    private final long staleAfterNanos;
    private final Map<String, Long> lastHeard = new HashMap<>();
    /** Decisions written and not read back yet: not proposed again meanwhile. */
    private final Set<String> pending = new HashSet<>();

    StaleClusters(long staleAfterNanos) {
        this.staleAfterNanos = staleAfterNanos;
    }

    /** A record of the cluster (other than a decision about it) was applied. */
    void heard(String cluster, long now) {
        lastHeard.put(cluster, now);
    }

    /** A decision about the cluster was read back from the log (whether or not it held). */
    void decided(String cluster, long now) {
        pending.remove(cluster);
        lastHeard.put(cluster, now);
    }

    /** The clusters to record as stale now, in id order; each is then pending until {@link #decided}. */
    List<String> due(Map<String, ClusterSync> clusters, long now) {
        List<String> out = new ArrayList<>();
        long latest = lastHeard.values().stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
        if (latest == Long.MIN_VALUE || now - latest >= staleAfterNanos) {
            // Every cluster gets the whole time again once the log speaks.
            clusters.keySet().forEach(id -> lastHeard.put(id, now));
            return out;
        }
        clusters.forEach((id, sync) -> {
            if (sync.lastHeartbeat() == null || sync.stale() || sync.removed() || pending.contains(id)) {
                return;
            }
            long since = lastHeard.computeIfAbsent(id, k -> now);
            if (now - since >= staleAfterNanos) {
                out.add(id);
                pending.add(id);
            }
        });
        return out;
    }
}
