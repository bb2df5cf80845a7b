package dev.signalbox.compiler.model;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.event.EventLogRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The clusters of an events log, as {@code bin/ingress cluster list|remove} see them (issue 14): pure functions of
 * the {@link ClusterModel} folded from the whole log.
 */
public final class ClusterDirectory {
    private ClusterDirectory() {
    }

    /**
     * One cluster.
     *
     * @param state         live (heartbeats and not recorded stale), stale (recorded by the compiler),
     *                      no-heartbeat (a watcher that sends none: an older one, or a tool), awaiting-sync (writing,
     *                      initial list not recorded)
     * @param lastHeartbeat its latest heartbeat's time, or null
     * @param objects       how many objects of the cluster the log holds live
     */
    public record Cluster(String id, String state, Instant lastHeartbeat, int objects, long leaderEpoch) {
    }

    /** Every cluster the log speaks of, in id order. */
    public static List<Cluster> list(ClusterModel model) {
        Map<String, Integer> objects = new TreeMap<>();
        model.all().keySet().forEach(k -> objects.merge(k.clusterId(), 1, Integer::sum));
        List<Cluster> out = new ArrayList<>();
        model.clusters().forEach((id, sync) -> out.add(new Cluster(id, state(sync), sync.lastHeartbeat(),
                objects.getOrDefault(id, 0), sync.leaderEpoch())));
        return out;
    }

    private static String state(ClusterSync sync) {
        if (sync.removed()) {
            return "removed";
        } else if (sync.awaitingSync()) {
            return "awaiting-sync";
        } else if (sync.stale()) {
            return "stale";
        }
        return sync.lastHeartbeat() == null ? "no-heartbeat" : "live";
    }

    /**
     * Why {@code cluster remove} must not remove the cluster now, or empty when it may. A cluster is removed only
     * once the compiler has recorded it stale: a watcher still running would publish every object again at its
     * next takeover (fencing it with its transactional id only makes it take over again), so removing a live
     * cluster would not last. {@code force} removes a cluster that sends no heartbeat (an older watcher) or whose
     * watcher is known to be gone for good.
     */
    public static Optional<String> refusal(ClusterModel model, String id, boolean force) {
        ClusterSync sync = model.clusters().get(id);
        if (sync == null) {
            boolean hasObjects = model.all().keySet().stream().anyMatch(k -> k.clusterId().equals(id));
            return hasObjects ? Optional.empty() : Optional.of("the events log has no cluster " + id);
        }
        if (sync.removed()) {
            boolean hasObjects = model.all().keySet().stream().anyMatch(k -> k.clusterId().equals(id));
            return hasObjects || force ? Optional.empty() : Optional.of("cluster " + id + " was removed already");
        }
        if (sync.stale() || force) {
            return Optional.empty();
        }
        return Optional.of("cluster " + id + " is " + state(sync) + " (last heartbeat " + sync.lastHeartbeat()
                + ", leader epoch " + sync.leaderEpoch() + "): a running watcher would publish its objects again at its"
                + " next takeover. Stop its watcher first; once `bin/ingress cluster list` shows it stale (after the"
                + " compiler's --cluster-stale-after), run this again. --force removes it anyway (a cluster whose watcher"
                + " sends no heartbeats, or is known to be gone).");
    }

    /**
     * The records that remove a cluster, for one transaction: a DELETE for every object of it the log holds, in
     * key order, then its {@link ClusterLiveness} REMOVED, so history shows what went and why.
     */
    public static List<EventLogRecord> removal(ClusterModel model, String id, Instant now, String reason) {
        List<EventLogRecord> out = new ArrayList<>();
        ClusterSync sync = model.clusters().get(id);
        long epoch = sync == null ? 0 : sync.leaderEpoch();
        model.all().values().stream().filter(o -> o.key().clusterId().equals(id))
                .forEach(o -> out.add(ClusterEvent.delete(o.key(), o.uid(), o.resourceVersion(), now, epoch)));
        out.add(ClusterLiveness.removed(id, epoch, now, reason));
        return out;
    }
}
