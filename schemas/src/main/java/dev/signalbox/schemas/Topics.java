package dev.signalbox.schemas;

import java.util.Map;

/**
 * The topics of the pipeline and how they are created. Every setting that differs from the broker
 * default says why; deploy/k8s/70-topics.yaml mirrors these values for clusters managed by Strimzi.
 */
public final class Topics {
    public static final String EVENTS = "signalbox.events";
    public static final String SNAPSHOTS = "signalbox.snapshots";
    public static final String COMPILER_MODEL = "signalbox.compiler.model";
    public static final String PROXY_ACKS = "signalbox.proxy.acks";

    /** A topic to create: name, partition count and the configuration that differs from the default. */
    public record TopicSpec(String name, int partitions, Map<String, String> configs) {
        public TopicSpec {
            configs = Map.copyOf(configs);
        }
    }

    /**
     * Events are keyed by cluster/kind/namespace/name, so every object's history stays in one partition
     * and in order. The log is the source of truth for replay and audit, so nothing is deleted by age.
     */
    public static TopicSpec events(int partitions) {
        return new TopicSpec(EVENTS, partitions, Map.of(
                // The event log is the audit trail and the replay source: keep it all.
                "retention.ms", "-1",
                // Ordering within an object's history must survive an unclean leader election.
                "unclean.leader.election.enable", "false"));
    }

    /**
     * Snapshots form one totally ordered sequence of versions, hence one partition. A snapshot may span
     * several chunk records, all written in one transaction.
     */
    public static TopicSpec snapshots() {
        return new TopicSpec(SNAPSHOTS, 1, Map.of(
                // Answering "what was routing at time T" needs the history: keep 30 days of versions.
                "retention.ms", String.valueOf(30L * 24 * 3600 * 1000),
                // A chunk is at most SnapshotChunk.DEFAULT_CHUNK_BYTES; leave headroom for headers and batching.
                "max.message.bytes", String.valueOf(2 * 1024 * 1024),
                "unclean.leader.election.enable", "false"));
    }

    /**
     * The compiler's checkpoint of its model: the latest event of every live object, keyed like the events
     * topic, written in the same transaction as the snapshot and the consumed offsets. A restarted compiler
     * reads this (about one record per live object) instead of the whole event history.
     */
    public static TopicSpec compilerModel() {
        return new TopicSpec(COMPILER_MODEL, 1, Map.of(
                // Only the latest state of each object matters; deletes are tombstones.
                "cleanup.policy", "compact",
                "unclean.leader.election.enable", "false"));
    }

    /**
     * Proxies' acknowledgements ({@code ProxyAck}: applied, rejected, heartbeat, stopped), keyed by node id.
     * One partition: the fleet's records are few (a heartbeat per node every 10 s) and one order makes "which
     * node applied which version when" a single read. Kept for 7 days: {@code bin/ingress fleet} reads the
     * recent past by time, and a week answers "did every proxy have version N" for last week's incidents.
     */
    public static TopicSpec proxyAcks() {
        return new TopicSpec(PROXY_ACKS, 1, Map.of(
                // Propagation history for a week; heartbeats make the volume grow with nodes, not with changes.
                "retention.ms", String.valueOf(7L * 24 * 3600 * 1000),
                "unclean.leader.election.enable", "false"));
    }

    private Topics() {
    }
}
