package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Builds, encodes and decodes {@link RoutingSnapshot}s. The content hash is computed here ({@link TableHasher}), from
 * the canonical JSON of the table's entries, so no snapshot can carry a hash that does not match its table.
 */
public final class SnapshotCodec {
    private SnapshotCodec() {
    }

    public static RoutingSnapshot create(long version, Instant createdAt, List<SourceOffset> provenance,
                                         RoutingTable table) {
        return create(version, createdAt, provenance, List.of(), table);
    }

    /** A snapshot that also names the watcher transactions it contains (see {@link RoutingSnapshot#transactions()}). */
    public static RoutingSnapshot create(long version, Instant createdAt, List<SourceOffset> provenance,
                                         List<dev.signalbox.schemas.snapshot.SourceTransaction> transactions,
                                         RoutingTable table) {
        return new RoutingSnapshot(FormatVersion.CURRENT, version, version - 1, createdAt, provenance,
                contentHash(table), table, transactions);
    }

    /** {@link #create(long, Instant, List, List, RoutingTable)} with the hash from {@code hasher} (the same hash, sooner). */
    public static RoutingSnapshot create(long version, Instant createdAt, List<SourceOffset> provenance,
                                         List<dev.signalbox.schemas.snapshot.SourceTransaction> transactions,
                                         RoutingTable table, TableHasher hasher) {
        return new RoutingSnapshot(FormatVersion.CURRENT, version, version - 1, createdAt, provenance,
                hasher.hash(table), table, transactions);
    }

    /** The content hash of {@code table} by the current definition ({@link TableHasher}). */
    public static String contentHash(RoutingTable table) {
        return new TableHasher().hash(table);
    }

    /**
     * The content hash of {@code table} by the definition the recorded hash {@code like} names: a record of format
     * version 1 or 2 has a hash of the older definition ({@link TableHasher#hashAs}).
     */
    public static String contentHashAs(String like, RoutingTable table) {
        return new TableHasher().hashAs(like, table);
    }

    public static byte[] encode(RoutingSnapshot snapshot) {
        try {
            return Json.MAPPER.writeValueAsBytes(snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes a whole snapshot and checks its format version and content hash.
     *
     * @throws DecodeException when the bytes are not a snapshot this reader can trust
     */
    public static RoutingSnapshot decode(byte[] bytes) throws DecodeException {
        return decode(bytes, null);
    }

    /**
     * {@link #decode(byte[])}, hashing with a reader's {@link TableHasher} (null: a hasher of its own), which then
     * holds this table's entries for the deltas that follow.
     */
    public static RoutingSnapshot decode(byte[] bytes, TableHasher hasher) throws DecodeException {
        RoutingSnapshot s;
        try {
            s = Json.MAPPER.readValue(bytes, RoutingSnapshot.class);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(e.getMessage(), e);
        }
        if (s.formatVersion() < 1 || s.formatVersion() > FormatVersion.CURRENT) {
            throw new DecodeException("snapshot format version " + s.formatVersion() + " is not supported");
        }
        String hash = (hasher == null ? new TableHasher() : hasher).hashAs(s.contentHash(), s.table());
        if (!hash.equals(s.contentHash())) {
            throw new DecodeException("snapshot " + s.version() + " content hash " + s.contentHash()
                    + " does not match its table (" + hash + ")");
        }
        return s;
    }

    public static String toPrettyJson(Object value) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
