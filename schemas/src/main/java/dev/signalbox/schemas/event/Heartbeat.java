package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.signalbox.schemas.FormatVersion;
import java.time.Instant;
import java.util.Objects;

/**
 * A watcher leader saying it is alive (issue 14), sent at an interval in a transaction of its own (or with the
 * change it is queued with). It changes no routing: the compiler reads it to know the cluster is live, and a
 * cluster it had recorded as stale ({@link ClusterLiveness}) is live again from its next heartbeat. Record key
 * {@code <clusterId>/liveness}, shared with the compiler's decisions about the cluster so that both land in one
 * partition, in order: a replay folds them exactly as the compiler did. JSON carries {@code "type": "Heartbeat"}.
 *
 * @param objects how many objects the leader's source holds (for {@code bin/ingress cluster list})
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonTypeName(Heartbeat.TYPE)
public record Heartbeat(int formatVersion, String clusterId, long leaderEpoch, Instant observedAt, int objects,
                        TransactionMark transaction) implements EventLogRecord {
    public static final String TYPE = "Heartbeat";

    public Heartbeat {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(observedAt, "observedAt");
        if (clusterId.contains("/")) {
            throw new IllegalArgumentException("cluster id must not contain '/': " + clusterId);
        }
    }

    public static Heartbeat of(String clusterId, long leaderEpoch, Instant observedAt, int objects) {
        return new Heartbeat(FormatVersion.CURRENT, clusterId, leaderEpoch, observedAt, objects, null);
    }

    @Override
    public Heartbeat withTransaction(TransactionMark mark) {
        return new Heartbeat(formatVersion, clusterId, leaderEpoch, observedAt, objects, mark);
    }

    /** The key of every liveness record of a cluster: its heartbeats and the decisions about it. */
    public static String livenessKey(String clusterId) {
        return clusterId + "/liveness";
    }

    @Override
    @JsonIgnore
    public String recordKey() {
        return livenessKey(clusterId);
    }
}
