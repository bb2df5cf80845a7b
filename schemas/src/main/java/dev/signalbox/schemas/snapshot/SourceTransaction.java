package dev.signalbox.schemas.snapshot;

import java.util.List;

/**
 * Provenance: one watcher transaction (one source change, or several batched by the watcher) that a
 * snapshot contains whole, and that the snapshot before it did not. Its records are the events of the
 * ranges that carry this transaction's mark ({@code producer}, {@code session}, {@code sequence}), so an
 * audit can say "this version is exactly this file change".
 *
 * @param records how many records the transaction holds (events and sync markers)
 * @param ranges  where they are: per partition, the first and last offset holding one of them
 */
public record SourceTransaction(String clusterId, String producer, String session, long epoch, long sequence,
                                int records, List<SourceRange> ranges) {
    public SourceTransaction {
        ranges = List.copyOf(ranges);
    }

    /** The records of one transaction in one partition lie within {@code firstOffset..lastOffset}. */
    public record SourceRange(String topic, int partition, long firstOffset, long lastOffset) {
    }
}
