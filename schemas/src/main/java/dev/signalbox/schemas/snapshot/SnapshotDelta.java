package dev.signalbox.schemas.snapshot;

import java.time.Instant;
import java.util.List;

/**
 * A version published as its changes against the version before it (issue 15): everything a
 * {@link RoutingSnapshot} carries but the table, and the {@link TableDelta} that turns the previous version's
 * table into this one's. The content hash is that of the whole table the delta produces, so a reader that applies
 * it to any other table than the previous version's finds out; see {@code SnapshotDeltaCodec.apply}.
 *
 * @param previousVersion the version whose table this delta applies to: version - 1
 * @param contentHash     the content hash ({@code TableHasher}) of the whole table after the changes
 */
public record SnapshotDelta(int formatVersion, long version, long previousVersion, Instant createdAt,
                            List<SourceOffset> provenance, String contentHash, TableDelta changes,
                            List<SourceTransaction> transactions) {
    public SnapshotDelta {
        provenance = List.copyOf(provenance);
        transactions = transactions == null ? List.of() : List.copyOf(transactions);
        if (version < 2 || previousVersion != version - 1) {
            throw new IllegalArgumentException("delta version " + version + " cannot follow " + previousVersion);
        }
    }
}
