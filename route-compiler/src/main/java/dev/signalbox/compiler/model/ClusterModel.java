package dev.signalbox.compiler.model;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.Op;
import dev.signalbox.schemas.event.RejectedState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The fold of the events topic: the latest state of every object of every cluster, keyed and iterated in
 * {@link ObjectKey} order so that whatever is computed from it is deterministic. Events for one key
 * arrive in order (one key, one partition); events of different keys commute, so the model after a set
 * of offsets does not depend on how partitions interleaved. Not thread-safe: owned by the compiler loop.
 */
public final class ClusterModel {
    private final NavigableMap<ObjectKey, StoredObject> objects = new TreeMap<>();
    private final NavigableMap<String, ClusterSync> clusters = new TreeMap<>();
    private Instant latestObservedAt = Instant.EPOCH;
    /**
     * Every change of {@link #objects} since {@link #journalStart}, in order, with the object the key had before
     * (null: none): what the incremental compile reads instead of comparing the whole model (issue 15).
     */
    private final List<Change> journal = new ArrayList<>();
    private long journalStart;

    /**
     * Past a quarter of the model's size (and at least this many) the journal is dropped: a reader that has not
     * caught up compiles the whole model, which then costs about as much as reading the changes, and a standby that
     * follows without compiling does not keep the replaced objects.
     */
    private static final int JOURNAL_MIN = 1024;

    /** One change of an object: its key and the object it had before (null: it was absent). */
    private record Change(ObjectKey key, StoredObject before) {
    }

    /** Folds one record of the events log, whichever kind it is; see the apply of each kind for what it returns. */
    public boolean apply(EventLogRecord r) {
        if (r instanceof ClusterEvent e) {
            return apply(e);
        } else if (r instanceof SyncMarker m) {
            return apply(m);
        } else if (r instanceof Heartbeat h) {
            return apply(h);
        }
        return apply((ClusterLiveness) r);
    }

    /**
     * Applies one event.
     *
     * @return true when routing input changed (a no-op update or a delete of an unknown object is false)
     */
    public boolean apply(ClusterEvent event) {
        if (event.observedAt() != null && event.observedAt().isAfter(latestObservedAt)) {
            latestObservedAt = event.observedAt();
        }
        boolean clusterChanged = false;
        ClusterSync sync = clusters.getOrDefault(event.clusterId(), ClusterSync.UNKNOWN);
        if (!clusters.containsKey(event.clusterId()) || event.transaction() != null && !sync.transactional()) {
            ClusterSync now = sync.withSync(sync.transactional() || event.transaction() != null, sync.syncedEpoch());
            clusters.put(event.clusterId(), now);
            clusterChanged = now.awaitingSync() != sync.awaitingSync();
            sync = now;
        }
        clusters.put(event.clusterId(), sync.withEpoch(event.leaderEpoch()));
        return applyObject(event) || clusterChanged;
    }

    /**
     * Applies the end of a cluster's initial list.
     *
     * @return true when the cluster was not synced before (what may be published changed)
     */
    public boolean apply(SyncMarker marker) {
        if (marker.observedAt().isAfter(latestObservedAt)) {
            latestObservedAt = marker.observedAt();
        }
        ClusterSync before = clusters.getOrDefault(marker.clusterId(), ClusterSync.UNKNOWN);
        clusters.put(marker.clusterId(), before.withSync(before.transactional() || marker.transaction() != null,
                Math.max(before.syncedEpoch(), marker.leaderEpoch())).withEpoch(marker.leaderEpoch()));
        return !before.synced();
    }

    /**
     * Applies a watcher leader's heartbeat (issue 14): the cluster is live, and if it was recorded as stale (or
     * removed) it is live again from here, in the log's order.
     *
     * @return true when the cluster was stale or removed (what is routed changes); a heartbeat of a live cluster
     *         changes nothing routing sees, so it makes no version
     */
    public boolean apply(Heartbeat heartbeat) {
        ClusterSync before = clusters.getOrDefault(heartbeat.clusterId(), ClusterSync.UNKNOWN);
        clusters.put(heartbeat.clusterId(), before.heartbeat(heartbeat.observedAt()).withEpoch(heartbeat.leaderEpoch()));
        return before.stale() || before.removed();
    }

    /**
     * Applies a decision about a cluster. STALE holds only when it follows the cluster's latest heartbeat (a
     * heartbeat read between the compiler's decision and its record voids it, the same way in every replay);
     * REMOVED marks the cluster removed (its objects are deleted by the events of the same transaction).
     *
     * @return true when what is routed may change
     */
    public boolean apply(ClusterLiveness decision) {
        if (decision.observedAt().isAfter(latestObservedAt)) {
            latestObservedAt = decision.observedAt();
        }
        ClusterSync before = clusters.get(decision.clusterId());
        if (decision.state() == ClusterLiveness.State.REMOVED) {
            ClusterSync after = (before == null ? ClusterSync.UNKNOWN : before).remove();
            clusters.put(decision.clusterId(), after);
            return !after.equals(before);
        }
        if (before == null || before.removed() || before.lastHeartbeat() == null
                || !before.lastHeartbeat().equals(decision.lastHeartbeat())) {
            return false;
        }
        ClusterSync after = before.stale(decision.keepEndpoints());
        clusters.put(decision.clusterId(), after);
        return !after.equals(before);
    }

    /** Every cluster the log has spoken of, in id order, with what it says about its initial state. */
    public Map<String, ClusterSync> clusters() {
        return Collections.unmodifiableMap(clusters);
    }

    /** Restores one cluster's sync state from a checkpoint. */
    public void restoreCluster(String clusterId, ClusterSync sync) {
        clusters.put(clusterId, sync);
    }

    private boolean applyObject(ClusterEvent event) {
        ObjectKey key = event.key();
        if (event.op() == Op.DELETE) {
            StoredObject removed = objects.remove(key);
            if (removed != null) {
                record(key, removed);
            }
            return removed != null;
        }
        ObjectState state = event.state();
        StoredObject previous = objects.put(key, new StoredObject(key, event.uid(), event.resourceVersion(), event.observedAt(), state));
        record(key, previous);
        return previous == null || !Objects.equals(previous.state(), state);
    }

    private void record(ObjectKey key, StoredObject before) {
        if (journal.size() >= Math.max(JOURNAL_MIN, objects.size() / 4)) {
            journalStart += journal.size();
            journal.clear();
        }
        journal.add(new Change(key, before));
    }

    /** Where the journal of object changes stands: pass it to {@link #changedSince} later. */
    public long stamp() {
        return journalStart + journal.size();
    }

    /**
     * The objects changed after {@code stamp} (the object itself replaced, even by an equal one), each key once with
     * the object it had at {@code stamp} (null: absent then; rejected ones included); null when the journal no longer
     * reaches back that far.
     */
    public Map<ObjectKey, StoredObject> changedSince(long stamp) {
        if (stamp < journalStart || stamp > stamp()) {
            return null;
        }
        Map<ObjectKey, StoredObject> out = new HashMap<>();
        for (int i = (int) (stamp - journalStart); i < journal.size(); i++) {
            Change c = journal.get(i);
            // Not putIfAbsent: it would replace a key's first "absent before" (a null value).
            if (!out.containsKey(c.key())) {
                out.put(c.key(), c.before());
            }
        }
        return out;
    }

    /** Forgets the changes up to {@code stamp}: its one reader has read them (the objects they hold can go). */
    public void forgetChangesBefore(long stamp) {
        int n = (int) Math.min(journal.size(), Math.max(0, stamp - journalStart));
        journal.subList(0, n).clear();
        journalStart += n;
    }

    /** The object of {@code key} as stored, rejected or not; null when there is none. */
    public StoredObject stored(ObjectKey key) {
        return objects.get(key);
    }

    /**
     * All routable objects of one kind, in key order; rejected ones are left out (see {@link #rejected()}). Reads
     * only that kind's range of each cluster, not the whole model.
     */
    public Collection<StoredObject> ofKind(Kind kind) {
        List<StoredObject> out = new ArrayList<>();
        ObjectKey at = objects.isEmpty() ? null : objects.firstKey();
        while (at != null) {
            String cluster = at.clusterId();
            for (StoredObject o : objects.tailMap(new ObjectKey(cluster, kind, "", ""), true).values()) {
                if (!o.key().clusterId().equals(cluster) || o.key().kind() != kind) {
                    break;
                }
                if (!(o.state() instanceof RejectedState)) {
                    out.add(o);
                }
            }
            // The first key of the next cluster: its id is at least this one followed by the smallest character.
            at = objects.ceilingKey(new ObjectKey(cluster + "\0", Kind.values()[0], "", ""));
        }
        return Collections.unmodifiableList(out);
    }

    /** The routable object of {@code key}, or null when there is none or the watcher rejected it. */
    public StoredObject get(ObjectKey key) {
        StoredObject o = objects.get(key);
        return o == null || o.state() instanceof RejectedState ? null : o;
    }

    /** Objects the watcher saw but could not publish whole, in key order: absent for routing, diagnosed. */
    public Collection<StoredObject> rejected() {
        return objects.values().stream().filter(o -> o.state() instanceof RejectedState).toList();
    }

    /** Every object, rejected ones included: what a checkpoint must hold. */
    public Map<ObjectKey, StoredObject> all() {
        return Collections.unmodifiableMap(objects);
    }

    public int size() {
        return objects.size();
    }

    /** Restores {@link #latestObservedAt()} from a checkpoint (deleted objects' times are not in the objects). */
    public void observedUpTo(Instant time) {
        if (time.isAfter(latestObservedAt)) {
            latestObservedAt = time;
        }
    }

    /** The latest observedAt of every event applied: a snapshot's creation time, the same on every replay. */
    public Instant latestObservedAt() {
        return latestObservedAt;
    }
}
