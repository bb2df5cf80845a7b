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
 * @param contentHash     SHA-256 of the canonical JSON of {@code table}
 */
public record RoutingSnapshot(int formatVersion, long version, long previousVersion, Instant createdAt,
                              List<SourceOffset> provenance, String contentHash, RoutingTable table) {
    public RoutingSnapshot {
        provenance = List.copyOf(provenance);
        if (version < 1 || previousVersion != version - 1) {
            throw new IllegalArgumentException("version " + version + " cannot follow " + previousVersion);
        }
    }
}
