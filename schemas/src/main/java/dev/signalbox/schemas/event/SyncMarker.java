package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * The end of a watcher leader's initial list: written in the same transaction as the list (the takeover's
 * reconcile), so whoever reads it has read the cluster's whole state as of that list. The compiler
 * publishes no version before every writing cluster has synced. Record key {@code <clusterId>/sync}; the
 * JSON carries {@code "type": "SyncMarker"} (a {@link ClusterEvent} has no top-level type).
 *
 * @param objects how many objects the source held when it synced (for people; the events say which)
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonTypeName(SyncMarker.TYPE)
public record SyncMarker(int formatVersion, String clusterId, long leaderEpoch, Instant observedAt, int objects,
                         TransactionMark transaction) implements EventLogRecord {
    public static final String TYPE = "SyncMarker";

    public SyncMarker {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(observedAt, "observedAt");
        if (clusterId.contains("/")) {
            throw new IllegalArgumentException("cluster id must not contain '/': " + clusterId);
        }
    }

    public static SyncMarker of(String clusterId, long leaderEpoch, Instant observedAt, int objects) {
        return new SyncMarker(dev.signalbox.schemas.FormatVersion.CURRENT, clusterId, leaderEpoch, observedAt, objects, null);
    }

    public SyncMarker withTransaction(TransactionMark mark) {
        return new SyncMarker(formatVersion, clusterId, leaderEpoch, observedAt, objects, mark);
    }

    @Override
    @com.fasterxml.jackson.annotation.JsonIgnore
    public String recordKey() {
        return clusterId + "/sync";
    }
}
