package dev.signalbox.schemas.codec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.event.TransactionMark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes and decodes every record of the events topic: {@link ClusterEvent}s, {@link SyncMarker}s,
 * {@link Heartbeat}s and {@link ClusterLiveness} decisions (told apart by a top-level {@code "type"}, which an
 * event has not). {@link ClusterEventCodec} reads events only and
 * passes over markers silently, so readers that only want events need not change. Thread-safe.
 */
public final class EventLogCodec {
    private static final Logger LOG = LoggerFactory.getLogger(EventLogCodec.class);

    private EventLogCodec() {
    }

    public static byte[] encode(EventLogRecord record) {
        try {
            return Json.MAPPER.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes one record.
     *
     * @throws DecodeException when the bytes are not a record this reader can read
     */
    public static EventLogRecord decode(byte[] bytes) throws DecodeException {
        EventLogRecord r;
        try {
            JsonNode tree = Json.MAPPER.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw new DecodeException("not a JSON object", null);
            }
            String type = tree.path("type").asText(null);
            Class<? extends EventLogRecord> as = type == null ? ClusterEvent.class : switch (type) {
                case SyncMarker.TYPE -> SyncMarker.class;
                case Heartbeat.TYPE -> Heartbeat.class;
                case ClusterLiveness.TYPE -> ClusterLiveness.class;
                default -> ClusterEvent.class;
            };
            r = Json.MAPPER.treeToValue(tree, as);
        } catch (IOException | RuntimeException x) {
            throw new DecodeException(x.getMessage(), x);
        }
        if (r.formatVersion() < 1 || r.formatVersion() > FormatVersion.CURRENT) {
            throw new DecodeException("format version " + r.formatVersion() + " is not supported (this reader knows 1.."
                    + FormatVersion.CURRENT + ")");
        }
        return r;
    }

    /** A record that is not an object change: a sync marker, a heartbeat or a liveness decision. */
    static boolean isMarker(JsonNode tree) {
        String type = tree.path("type").asText(null);
        return SyncMarker.TYPE.equals(type) || Heartbeat.TYPE.equals(type) || ClusterLiveness.TYPE.equals(type);
    }

    /** True when the bytes are a record that is not an object change (whatever else they hold). */
    static boolean isMarker(byte[] bytes) {
        try {
            JsonNode tree = Json.MAPPER.readTree(bytes);
            return tree != null && isMarker(tree);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Decodes a record's value, or logs it, tells {@code onFailure} and returns empty for a record that is
     * not readable. A null value is empty and no failure.
     */
    public static Optional<EventLogRecord> decode(String where, byte[] bytes, Runnable onFailure) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(bytes));
        } catch (DecodeException e) {
            onFailure.run();
            LOG.warn("skipping undecodable record at {}: {}", where, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The transaction mark of a record that does not decode (a newer format, a broken state), read as
     * leniently as possible: its transaction must still be counted whole, or the rest of it would wait.
     */
    public static Optional<TransactionMark> transactionOf(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            JsonNode t = Json.MAPPER.readTree(bytes).get("transaction");
            return t == null || t.isNull() ? Optional.empty() : Optional.of(Json.MAPPER.treeToValue(t, TransactionMark.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
