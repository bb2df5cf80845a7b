package dev.signalbox.schemas.snapshot;

/**
 * Provenance: the snapshot reflects every event of {@code topic}/{@code partition} before {@code nextOffset}.
 */
public record SourceOffset(String topic, int partition, long nextOffset) {
}
