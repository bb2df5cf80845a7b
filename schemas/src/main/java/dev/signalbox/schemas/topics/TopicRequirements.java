package dev.signalbox.schemas.topics;

import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.topics.SettingRule.AtLeast;
import dev.signalbox.schemas.topics.SettingRule.Exactly;
import dev.signalbox.schemas.topics.SettingRule.MinInsyncReplicas;
import java.util.List;

/**
 * The one place that says which topics Signalbox needs and with which settings: {@code bin/ingress topics},
 * the components' start-up check, local mode and the tests all create and check from here, and
 * deploy/k8s/70-topics.yaml mirrors it for Strimzi. Every setting is written explicitly on a new topic (a
 * broker whose defaults differ, e.g. {@code log.cleanup.policy=compact}, must not change a Signalbox topic).
 */
public final class TopicRequirements {
    /** The partition count of a new events topic when none is given (deploy/k8s uses 6). */
    public static final int DEFAULT_EVENT_PARTITIONS = 3;
    /** The largest event the watcher publishes; a larger object is published as Rejected. */
    public static final int MAX_EVENT_BYTES = 900 * 1024;
    /** Room for a record batch's and a record's own headers beyond the payload. */
    public static final int RECORD_HEADROOM = 64 * 1024;

    private static final String UNCLEAN = "unclean.leader.election.enable";
    private static final long THIRTY_DAYS_MS = 30L * 24 * 3600 * 1000;
    private static final long ONE_MIB = 1024 * 1024;

    private TopicRequirements() {
    }

    /** Every Signalbox topic, events first, with the default snapshot chunk size. */
    public static List<TopicRequirement> all(int eventPartitions) {
        return all(eventPartitions, SnapshotChunk.DEFAULT_CHUNK_BYTES);
    }

    /** Every Signalbox topic, events first; the snapshots' record limit follows {@code chunkBytes}. */
    public static List<TopicRequirement> all(int eventPartitions, int chunkBytes) {
        return List.of(events(eventPartitions), snapshots(chunkBytes), compilerModel(), compilerLease(), proxyAcks());
    }

    /**
     * Events are keyed by cluster/kind/namespace/name, so every object's history stays in one partition and
     * in order. The log is the source of truth for replay and audit, so nothing is deleted or compacted.
     */
    public static TopicRequirement events(int partitions) {
        return new TopicRequirement(Topics.EVENTS, partitions, true, "the events, the source of truth", List.of(
                new Exactly("cleanup.policy", "delete", Severity.BREAKS,
                        "compaction keeps only each object's latest event: the history replay and audit read is lost"),
                // The event log is the audit trail and the replay source: keep it all.
                new Exactly("retention.ms", "-1", Severity.BREAKS,
                        "old events are deleted: a model rebuilt from the log loses every object whose last change is older"),
                // A broker-wide log.retention.bytes must not cut the history either.
                new Exactly("retention.bytes", "-1", Severity.BREAKS,
                        "old events are deleted: a model rebuilt from the log loses every object whose last change is older"),
                // An event is at most MAX_EVENT_BYTES; write the limit down so a smaller broker default cannot apply.
                new AtLeast("max.message.bytes", ONE_MIB, MAX_EVENT_BYTES + RECORD_HEADROOM, false,
                        "a broker default below 1 MiB leaves little room above the largest event",
                        "an event of up to " + MAX_EVENT_BYTES + " bytes is refused, and the watcher's transaction with it, again and again"),
                // Ordering within an object's history must survive a leader election: never elect a stale replica.
                new Exactly(UNCLEAN, "false", Severity.DIFFERS,
                        "a stale replica may become leader and acknowledged events be lost"),
                new MinInsyncReplicas()));
    }

    /**
     * Snapshots form one totally ordered sequence of versions, hence one partition. A snapshot is one or
     * more chunk records with the same key, all written in one transaction.
     */
    public static TopicRequirement snapshots(int chunkBytes) {
        return new TopicRequirement(Topics.SNAPSHOTS, 1, false, "the versioned routing snapshots", List.of(
                new Exactly("cleanup.policy", "delete", Severity.BREAKS,
                        "a snapshot's chunks share its key: compaction keeps only the last one, so larger snapshots cannot be read"),
                // Answering "what was routing at time T" needs the history: keep 30 days of versions.
                new AtLeast("retention.ms", THIRTY_DAYS_MS, 0, true,
                        "fewer past versions are kept for history and audit", "not a retention Kafka accepts"),
                // A chunk is at most chunkBytes; 2 MiB leaves room for headers and a larger chunk size.
                new AtLeast("max.message.bytes", Math.max(2 * ONE_MIB, chunkBytes + RECORD_HEADROOM), chunkBytes + RECORD_HEADROOM, false,
                        "little room above the " + chunkBytes + "-byte snapshot chunks",
                        "a snapshot chunk (" + chunkBytes + " bytes) is refused: the compiler cannot publish a snapshot larger than the limit"),
                new Exactly(UNCLEAN, "false", Severity.DIFFERS,
                        "a stale replica may become leader and a published version be lost"),
                new MinInsyncReplicas()));
    }

    /**
     * The compiler's checkpoint of its model: the latest event of every live object, keyed like the events
     * topic, written in the same transaction as the snapshot and the consumed offsets. A restarted compiler
     * reads this (about one record per live object) instead of the whole event history.
     */
    public static TopicRequirement compilerModel() {
        return new TopicRequirement(Topics.COMPILER_MODEL, 1, false, "the compiler's checkpoint", List.of(
                // Only the latest state of each object matters; deletes are tombstones. Never deleted by age.
                new Exactly("cleanup.policy", "compact", Severity.BREAKS,
                        "checkpoint records are deleted by age: a restarted compiler's model misses the objects not changed lately"),
                // A checkpoint record is an event: at most MAX_EVENT_BYTES.
                new AtLeast("max.message.bytes", ONE_MIB, MAX_EVENT_BYTES + RECORD_HEADROOM, false,
                        "a broker default below 1 MiB leaves little room above the largest event",
                        "a checkpoint record of up to " + MAX_EVENT_BYTES + " bytes is refused: the compiler cannot publish"),
                new Exactly(UNCLEAN, "false", Severity.DIFFERS,
                        "a stale replica may become leader and checkpoint records be lost"),
                new MinInsyncReplicas()));
    }

    /**
     * The compilers' lease records (claim, renewal every 500 ms, release), one partition so every compiler
     * reads the claims in the same order and the first claim of a term wins. Deleted by age after an hour, not
     * compacted: a lease says something only for a lease time (2 s), a compiler reads only the last few records
     * on start, and compaction would keep a long-dead holder's record forever while the head segment (never
     * compacted) still grew by the renewals. Ten-minute segments let the hour's retention actually delete them.
     * Nothing routes from it, so no setting of it breaks Signalbox.
     */
    public static TopicRequirement compilerLease() {
        return new TopicRequirement(Topics.COMPILER_LEASE, 1, false, "the compilers' lease (which one is active)", List.of(
                new Exactly("cleanup.policy", "delete", Severity.DIFFERS,
                        "compaction keeps one record per key for ever and never trims the segment being written: the topic grows"),
                // An hour of claims and hand-overs is enough to look back at a takeover; renewals are 7,200 records an hour.
                new Exactly("retention.ms", String.valueOf(3_600_000L), Severity.DIFFERS,
                        "renewals are kept longer than needed (two records a second while a compiler is active)"),
                // Retention deletes whole segments only: roll every 10 minutes so the hour's retention takes effect.
                new Exactly("segment.ms", String.valueOf(600_000L), Severity.DIFFERS,
                        "old renewals stay until the segment rolls (7 days by default)"),
                new Exactly(UNCLEAN, "false", Severity.DIFFERS,
                        "a stale replica may become leader and a claim be lost (the lease is taken again a lease time later)"),
                new MinInsyncReplicas()));
    }

    /**
     * Proxies' acknowledgements ({@code ProxyAck}: applied, rejected, heartbeat, stopped), keyed by node id.
     * One partition: the records are few (a heartbeat per node every 10 s) and one order makes "which node
     * applied which version when" a single read. Kept 7 days: {@code bin/ingress fleet} reads the recent past
     * by time, and a week answers "did every proxy have version N" for last week's incidents. Nothing routes
     * from it, so no setting of it breaks Signalbox.
     */
    public static TopicRequirement proxyAcks() {
        return new TopicRequirement(Topics.PROXY_ACKS, 1, true, "the proxies' acknowledgements", List.of(
                new Exactly("cleanup.policy", "delete", Severity.DIFFERS,
                        "compaction keeps only each node's latest acknowledgement: fleet cannot say when a past version reached every proxy"),
                // Propagation history for a week; heartbeats make the volume grow with nodes, not with changes.
                new AtLeast("retention.ms", 7L * 24 * 3600 * 1000, 0, true,
                        "fewer days of acknowledgements for bin/ingress fleet", "not a retention Kafka accepts"),
                new Exactly(UNCLEAN, "false", Severity.DIFFERS,
                        "a stale replica may become leader and acknowledgements be lost"),
                new MinInsyncReplicas()));
    }

    /**
     * A majority of the replicas from three on (2 of 3): writes go on with one broker down, and an
     * acknowledged write is on at least two brokers. Below three replicas, 1: one broker down must not
     * stop the pipeline.
     */
    public static int minInsyncReplicas(int replicationFactor) {
        return replicationFactor >= 3 ? replicationFactor / 2 + 1 : 1;
    }
}
