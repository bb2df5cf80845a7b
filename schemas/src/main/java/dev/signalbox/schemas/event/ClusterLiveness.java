package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.signalbox.schemas.FormatVersion;
import java.time.Instant;
import java.util.Objects;

/**
 * A decision about a cluster that is not an object change (issue 14), recorded in the events log so that a
 * replay reproduces it without a clock. {@link State#STALE}: the compiler heard no heartbeat of the cluster for
 * longer than its configured time (written by the compiler, in a transaction of its own). {@link State#REMOVED}:
 * {@code bin/ingress cluster remove} withdrew the cluster (after DELETE events for all its objects). Key
 * {@link Heartbeat#livenessKey}: the same partition as the cluster's heartbeats, so the order between a decision
 * and a heartbeat is the log's. JSON carries {@code "type": "ClusterLiveness"}.
 *
 * @param leaderEpoch    the cluster's latest leader epoch the writer knew (never higher, so a watcher taking over
 *                       does not count it as a newer leader)
 * @param lastHeartbeat  the observedAt of the last heartbeat the decision follows; a STALE decision is void when
 *                       the log holds a newer heartbeat before it (the cluster spoke while it was being written)
 * @param keepEndpoints  STALE only: true when the stale cluster's endpoints stay in merged Services, marked stale,
 *                       false when they are withdrawn while another cluster serves the Service
 * @param reason         for people (history, audit)
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonTypeName(ClusterLiveness.TYPE)
public record ClusterLiveness(int formatVersion, String clusterId, long leaderEpoch, Instant observedAt, State state,
                              Instant lastHeartbeat, boolean keepEndpoints, String reason,
                              TransactionMark transaction) implements EventLogRecord {
    public static final String TYPE = "ClusterLiveness";

    public enum State {
        STALE,
        REMOVED
    }

    public ClusterLiveness {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(state, "state");
        if (clusterId.contains("/")) {
            throw new IllegalArgumentException("cluster id must not contain '/': " + clusterId);
        }
    }

    public static ClusterLiveness stale(String clusterId, long leaderEpoch, Instant observedAt, Instant lastHeartbeat,
                                        boolean keepEndpoints, String reason) {
        return new ClusterLiveness(FormatVersion.CURRENT, clusterId, leaderEpoch, observedAt, State.STALE, lastHeartbeat,
                keepEndpoints, reason, null);
    }

    public static ClusterLiveness removed(String clusterId, long leaderEpoch, Instant observedAt, String reason) {
        return new ClusterLiveness(FormatVersion.CURRENT, clusterId, leaderEpoch, observedAt, State.REMOVED, null, false,
                reason, null);
    }

    @Override
    public ClusterLiveness withTransaction(TransactionMark mark) {
        return new ClusterLiveness(formatVersion, clusterId, leaderEpoch, observedAt, state, lastHeartbeat, keepEndpoints,
                reason, mark);
    }

    @Override
    @JsonIgnore
    public String recordKey() {
        return Heartbeat.livenessKey(clusterId);
    }
}
