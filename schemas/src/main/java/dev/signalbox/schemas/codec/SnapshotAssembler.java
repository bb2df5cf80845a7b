package dev.signalbox.schemas.codec;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * Joins the chunks of a snapshot read in log order. A chunk that does not continue the snapshot being
 * assembled (a different version, or an index out of order) drops the partial one; a chunk with index 0
 * always starts afresh. Not thread-safe: one per consuming thread.
 */
public final class SnapshotAssembler {
    private long version = -1;
    private boolean delta;
    private int next;
    private int count;
    private ByteArrayOutputStream buffer;

    /** Returns the whole encoded snapshot when {@code chunk} completes one. */
    public Optional<byte[]> accept(SnapshotChunk chunk) {
        if (chunk.index() == 0) {
            version = chunk.version();
            count = chunk.count();
            delta = chunk.delta();
            next = 0;
            // Sized from the first slice only: the count comes from a header and is not trusted for allocation.
            buffer = new ByteArrayOutputStream(chunk.data().length);
        } else if (buffer == null || chunk.version() != version || chunk.index() != next || chunk.count() != count
                || chunk.delta() != delta) {
            reset();
            return Optional.empty();
        }
        buffer.writeBytes(chunk.data());
        next++;
        if (next < count) {
            return Optional.empty();
        }
        byte[] whole = buffer.toByteArray();
        reset();
        return Optional.of(whole);
    }

    /** True while chunks of a snapshot have been seen but not all of them. */
    public boolean inProgress() {
        return buffer != null;
    }

    private void reset() {
        buffer = null;
        version = -1;
        next = 0;
        count = 0;
    }
}
