package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.event.ClusterEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Encodes and decodes {@link ClusterEvent} records as canonical JSON. Thread-safe. */
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

    /** Decodes, or logs, counts and returns empty for a record that is not a readable event. */
    public static Optional<ClusterEvent> decode(String where, byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            ClusterEvent e = Json.MAPPER.readValue(bytes, ClusterEvent.class);
            if (e.formatVersion() < 1 || e.formatVersion() > FormatVersion.CURRENT) {
                throw new IOException("format version " + e.formatVersion() + " is not supported (this reader knows 1.."
                        + FormatVersion.CURRENT + ")");
            }
            return Optional.of(e);
        } catch (IOException | RuntimeException e) {
            DecodeFailures.EVENTS.incrementAndGet();
            LOG.warn("skipping undecodable event at {}: {}", where, e.getMessage());
            return Optional.empty();
        }
    }
}
