package dev.signalbox.snapshotlog;

import dev.signalbox.schemas.codec.SnapshotChunk;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** A {@link SnapshotChunk}'s headers as a Kafka record's, and back (US-ASCII values). */
public final class SnapshotRecords {
    private SnapshotRecords() {
    }

    public static Headers headers(SnapshotChunk chunk) {
        RecordHeaders h = new RecordHeaders();
        for (Map.Entry<String, String> e : chunk.headers().entrySet()) {
            h.add(e.getKey(), e.getValue().getBytes(StandardCharsets.US_ASCII));
        }
        return h;
    }

    /**
     * Reads a chunk from a record's headers and value.
     *
     * @throws IllegalArgumentException when the headers are missing or malformed
     */
    public static SnapshotChunk chunk(Headers headers, byte[] value) {
        return SnapshotChunk.fromHeaders(name -> {
            Header h = headers.lastHeader(name);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
        }, value);
    }
}
