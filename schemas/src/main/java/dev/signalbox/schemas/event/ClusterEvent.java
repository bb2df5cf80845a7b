package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.signalbox.schemas.FormatVersion;
import java.time.Instant;
import java.util.Objects;

/**
 * One change of one Kubernetes object, as published by a cluster's watcher to the events topic.
 *
 * @param formatVersion   {@link FormatVersion#CURRENT} when written
 * @param uid             metadata.uid (the manifests source derives a stable one)
 * @param resourceVersion metadata.resourceVersion (the manifests source uses a content hash)
 * @param observedAt      when the watcher saw the change
 * @param leaderEpoch     the publishing watcher's leader term (the Lease's leaderTransitions)
 * @param state           the object's routing-relevant state; null for {@link Op#DELETE}
 * @param transaction     the watcher transaction it was committed in (null when written outside one: older
 *                        watchers, tools)
 */
public record ClusterEvent(
        int formatVersion,
        String clusterId,
        Kind kind,
        String namespace,
        String name,
        String uid,
        String resourceVersion,
        Op op,
        Instant observedAt,
        long leaderEpoch,
        ObjectState state,
        TransactionMark transaction) implements EventLogRecord {

    public ClusterEvent(int formatVersion, String clusterId, Kind kind, String namespace, String name, String uid,
                        String resourceVersion, Op op, Instant observedAt, long leaderEpoch, ObjectState state) {
        this(formatVersion, clusterId, kind, namespace, name, uid, resourceVersion, op, observedAt, leaderEpoch, state, null);
    }

    public ClusterEvent {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        if (op == Op.UPSERT && state == null) {
            throw new IllegalArgumentException("an UPSERT carries the object's state");
        }
        if (op == Op.DELETE && state != null) {
            throw new IllegalArgumentException("a DELETE carries no state");
        }
        if (state != null && state.kind() != kind) {
            throw new IllegalArgumentException("state of kind " + state.kind() + " in an event of kind " + kind);
        }
        namespace = namespace == null ? "" : namespace;
    }

    public static ClusterEvent upsert(ObjectKey key, String uid, String resourceVersion,
                                      Instant observedAt, long leaderEpoch, ObjectState state) {
        return new ClusterEvent(FormatVersion.CURRENT, key.clusterId(), key.kind(), key.namespace(), key.name(),
                uid, resourceVersion, Op.UPSERT, observedAt, leaderEpoch, state);
    }

    public static ClusterEvent delete(ObjectKey key, String uid, String resourceVersion,
                                      Instant observedAt, long leaderEpoch) {
        return new ClusterEvent(FormatVersion.CURRENT, key.clusterId(), key.kind(), key.namespace(), key.name(),
                uid, resourceVersion, Op.DELETE, observedAt, leaderEpoch, null);
    }

    /** The same event, stamped with the transaction it is sent in. */
    public ClusterEvent withTransaction(TransactionMark mark) {
        return new ClusterEvent(formatVersion, clusterId, kind, namespace, name, uid, resourceVersion, op, observedAt,
                leaderEpoch, state, mark);
    }

    @Override
    @com.fasterxml.jackson.annotation.JsonIgnore
    public String recordKey() {
        return key().recordKey();
    }

    @JsonIgnore
    public ObjectKey key() {
        return new ObjectKey(clusterId, kind, namespace, name);
    }
}
