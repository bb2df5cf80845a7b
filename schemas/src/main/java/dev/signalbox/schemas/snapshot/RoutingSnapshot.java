package dev.signalbox.schemas.snapshot;

import java.time.Instant;
import java.util.List;

/**
 * One immutable, versioned routing table as the compiler published it.
 *
 * @param version         strictly increasing, without gaps, starting at 1
 * @param previousVersion the version this one follows (version - 1; 0 for the first)
 * @param createdAt       the latest observedAt of the events it reflects, so replay gives the same bytes
 * @param provenance      the event offsets it was compiled from, one per events partition, sorted
 * @param contentHash     the content hash of {@code table} ({@code TableHasher}: per-entry SHA-256 folded; "sha256:" and the whole JSON's SHA-256 before format version 3)
 * @param transactions    the watcher transactions between the previous version's provenance and this one's,
 *                        each whole, in the order they were read (empty in snapshots written before they were
 *                        recorded, and for events written outside a transaction)
 */
public record RoutingSnapshot(int formatVersion, long version, long previousVersion, Instant createdAt,
                              List<SourceOffset> provenance, String contentHash, RoutingTable table,
                              List<SourceTransaction> transactions) {
    public RoutingSnapshot(int formatVersion, long version, long previousVersion, Instant createdAt,
                           List<SourceOffset> provenance, String contentHash, RoutingTable table) {
        this(formatVersion, version, previousVersion, createdAt, provenance, contentHash, table, List.of());
    }

    public RoutingSnapshot {
        provenance = List.copyOf(provenance);
        transactions = transactions == null ? List.of() : List.copyOf(transactions);
        if (version < 1 || previousVersion != version - 1) {
            throw new IllegalArgumentException("version " + version + " cannot follow " + previousVersion);
        }
    }
}
