package dev.signalbox.schemas.event;

import java.time.Instant;

/**
 * A record of the events topic: a change of one object ({@link ClusterEvent}) or the end of a watcher's
 * initial list ({@link SyncMarker}), a watcher leader's {@link Heartbeat}, or the compiler's decision about a
 * cluster's liveness ({@link ClusterLiveness}). Decoded by {@link dev.signalbox.schemas.codec.EventLogCodec}.
 */
public sealed interface EventLogRecord permits ClusterEvent, SyncMarker, Heartbeat, ClusterLiveness {
    int formatVersion();

    String clusterId();

    long leaderEpoch();

    Instant observedAt();

    /** The watcher transaction it was committed in; null for records written outside one (older watchers, tools). */
    TransactionMark transaction();

    /** The same record, stamped with the transaction it is sent in. */
    EventLogRecord withTransaction(TransactionMark mark);

    /** The Kafka record key. */
    String recordKey();
}
