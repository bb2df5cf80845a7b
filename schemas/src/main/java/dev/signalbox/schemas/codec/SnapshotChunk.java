package dev.signalbox.schemas.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record of the snapshots topic: a slice of an encoded snapshot. A snapshot larger than one Kafka
 * record is split into chunks that the compiler writes in one transaction, so a read_committed reader
 * sees all chunks of a version or none. The chunk's place is carried in record headers; the value is
 * the raw slice.
 */
public record SnapshotChunk(long version, int index, int count, byte[] data) {
    /** Default slice size: well under the topic's max.message.bytes. */
    public static final int DEFAULT_CHUNK_BYTES = 512 * 1024;

    static final String H_FORMAT = "signalbox.format";
    static final String H_VERSION = "signalbox.snapshot.version";
    static final String H_INDEX = "signalbox.chunk.index";
    static final String H_COUNT = "signalbox.chunk.count";

    public SnapshotChunk {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("chunk " + index + " of " + count);
        }
    }

    public static List<SnapshotChunk> split(long version, byte[] encoded, int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + maxBytes);
        }
        int count = Math.max(1, (encoded.length + maxBytes - 1) / maxBytes);
        List<SnapshotChunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * maxBytes;
            chunks.add(new SnapshotChunk(version, i, count,
                    Arrays.copyOfRange(encoded, from, Math.min(encoded.length, from + maxBytes))));
        }
        return chunks;
    }

    /** The record key: the zero-padded version, so keys sort like versions. */
    public String recordKey() {
        return String.format("%019d", version);
    }

    public Headers headers() {
        RecordHeaders h = new RecordHeaders();
        h.add(H_FORMAT, ascii(String.valueOf(dev.signalbox.schemas.FormatVersion.CURRENT)));
        h.add(H_VERSION, ascii(String.valueOf(version)));
        h.add(H_INDEX, ascii(String.valueOf(index)));
        h.add(H_COUNT, ascii(String.valueOf(count)));
        return h;
    }

    /**
     * Reads a chunk from a record's headers and value.
     *
     * @throws IllegalArgumentException when the headers are missing or malformed
     */
    public static SnapshotChunk fromRecord(Headers headers, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("chunk record without a value");
        }
        return new SnapshotChunk(Long.parseLong(header(headers, H_VERSION)),
                Integer.parseInt(header(headers, H_INDEX)), Integer.parseInt(header(headers, H_COUNT)), value);
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        if (h == null || h.value() == null) {
            throw new IllegalArgumentException("chunk record without header " + name);
        }
        return new String(h.value(), StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
