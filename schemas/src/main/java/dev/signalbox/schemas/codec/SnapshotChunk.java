package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.FormatVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One record of the snapshots topic: a slice of an encoded snapshot. A snapshot larger than one Kafka
 * record is split into chunks that the compiler writes in one transaction, so a read_committed reader
 * sees all chunks of a version or none. The chunk's place is carried in record headers (US-ASCII decimal
 * strings, {@link #headers()}); the value is the raw slice. A chunk of a delta ({@code SnapshotDelta}, issue 15) says
 * so in one more header; a full snapshot's chunks carry the headers they always did. Kafka's record types stay out of this class: the
 * snapshot log turns these headers into a record's.
 */
public record SnapshotChunk(long version, int index, int count, byte[] data, boolean delta) {
    /** Default slice size: well under the topic's max.message.bytes. */
    public static final int DEFAULT_CHUNK_BYTES = 512 * 1024;

    static final String H_FORMAT = "signalbox.format";
    static final String H_VERSION = "signalbox.snapshot.version";
    static final String H_INDEX = "signalbox.chunk.index";
    static final String H_COUNT = "signalbox.chunk.count";
    static final String H_KIND = "signalbox.snapshot.kind";
    static final String KIND_DELTA = "delta";

    public SnapshotChunk {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("chunk " + index + " of " + count);
        }
    }

    /** A chunk of a full snapshot. */
    public SnapshotChunk(long version, int index, int count, byte[] data) {
        this(version, index, count, data, false);
    }

    /** The chunks of a full snapshot. */
    public static List<SnapshotChunk> split(long version, byte[] encoded, int maxBytes) {
        return split(version, encoded, maxBytes, false);
    }

    /** The chunks of an encoded full snapshot, or of an encoded delta when {@code delta}. */
    public static List<SnapshotChunk> split(long version, byte[] encoded, int maxBytes, boolean delta) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + maxBytes);
        }
        int count = Math.max(1, (encoded.length + maxBytes - 1) / maxBytes);
        List<SnapshotChunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * maxBytes;
            chunks.add(new SnapshotChunk(version, i, count,
                    Arrays.copyOfRange(encoded, from, Math.min(encoded.length, from + maxBytes)), delta));
        }
        return chunks;
    }

    /** The record key: the zero-padded version, so keys sort like versions. */
    public String recordKey() {
        return String.format("%019d", version);
    }

    /** The record headers, name to value, in the order they are written. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(H_FORMAT, String.valueOf(FormatVersion.CURRENT));
        h.put(H_VERSION, String.valueOf(version));
        h.put(H_INDEX, String.valueOf(index));
        h.put(H_COUNT, String.valueOf(count));
        if (delta) {
            h.put(H_KIND, KIND_DELTA);
        }
        return Collections.unmodifiableMap(h);
    }

    /**
     * Reads a chunk from a record's headers and value.
     *
     * @param header a header's value by name, null when the record has no such header
     * @throws IllegalArgumentException when the headers are missing or malformed
     */
    public static SnapshotChunk fromHeaders(Function<String, String> header, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("chunk record without a value");
        }
        return new SnapshotChunk(Long.parseLong(header(header, H_VERSION)),
                Integer.parseInt(header(header, H_INDEX)), Integer.parseInt(header(header, H_COUNT)), value,
                KIND_DELTA.equals(header.apply(H_KIND)));
    }

    private static String header(Function<String, String> header, String name) {
        String value = header.apply(name);
        if (value == null) {
            throw new IllegalArgumentException("chunk record without header " + name);
        }
        return value;
    }
}
