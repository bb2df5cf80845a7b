package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.event.ClusterEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes and decodes {@link ClusterEvent} records as canonical JSON. The events topic also holds
 * {@link dev.signalbox.schemas.event.SyncMarker}s: {@link #decode(String, byte[], Runnable)} passes over
 * them (empty, no failure); {@link EventLogCodec} reads both. Thread-safe.
 */
public final class ClusterEventCodec {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterEventCodec.class);

    private ClusterEventCodec() {
    }

    public static byte[] encode(ClusterEvent event) {
        try {
            return Json.MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes one event.
     *
     * @throws DecodeException when the bytes are not an event this reader can read
     */
    public static ClusterEvent decode(byte[] bytes) throws DecodeException {
        ClusterEvent e;
        try {
            e = Json.MAPPER.readValue(bytes, ClusterEvent.class);
        } catch (IOException | RuntimeException x) {
            throw new DecodeException(x.getMessage(), x);
        }
        if (e.formatVersion() < 1 || e.formatVersion() > FormatVersion.CURRENT) {
            throw new DecodeException("format version " + e.formatVersion() + " is not supported (this reader knows 1.."
                    + FormatVersion.CURRENT + ")");
        }
        return e;
    }

    /**
     * Decodes a record's value, or logs it, tells {@code onFailure} (the reading component's counter) and returns
     * empty for a record that is not a readable event. A null value (no record) is empty and no failure.
     */
    public static Optional<ClusterEvent> decode(String where, byte[] bytes, Runnable onFailure) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(bytes));
        } catch (DecodeException e) {
            if (EventLogCodec.isMarker(bytes)) {
                return Optional.empty();
            }
            onFailure.run();
            LOG.warn("skipping undecodable event at {}: {}", where, e.getMessage());
            return Optional.empty();
        }
    }

    /** {@link #decode(String, byte[], Runnable)} for readers that do not count failures (tools, replay, tests). */
    public static Optional<ClusterEvent> decode(String where, byte[] bytes) {
        return decode(where, bytes, () -> { });
    }
}
