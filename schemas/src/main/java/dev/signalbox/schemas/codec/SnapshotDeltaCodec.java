package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SnapshotDelta;
import dev.signalbox.schemas.snapshot.TableDelta;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds, encodes, decodes and applies {@link SnapshotDelta}s (issue 15). Applying one checks that it follows the
 * reader's version and that the table it produces has the content hash the compiler computed, so a delta never
 * yields a table the compiler did not publish: a reader whose table is not the delta's base gets a
 * {@link DecodeException} and must read the chain from a full snapshot instead.
 */
public final class SnapshotDeltaCodec {
    private SnapshotDeltaCodec() {
    }

    /** The delta that turns {@code previous}'s table into {@code next}'s, with {@code next}'s version and hash. */
    public static SnapshotDelta between(RoutingTable previous, RoutingSnapshot next) {
        return new SnapshotDelta(FormatVersion.CURRENT, next.version(), next.previousVersion(), next.createdAt(),
                next.provenance(), next.contentHash(), TableDelta.between(previous, next.table()), next.transactions());
    }

    public static byte[] encode(SnapshotDelta delta) {
        try {
            return Json.MAPPER.writeValueAsBytes(delta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes a delta and checks its format version; its hash can only be checked when it is applied.
     *
     * @throws DecodeException when the bytes are not a delta this reader can read
     */
    public static SnapshotDelta decode(byte[] bytes) throws DecodeException {
        SnapshotDelta d;
        try {
            d = Json.MAPPER.readValue(bytes, SnapshotDelta.class);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(e.getMessage(), e);
        }
        if (d.formatVersion() < 1 || d.formatVersion() > FormatVersion.CURRENT) {
            throw new DecodeException("snapshot delta format version " + d.formatVersion() + " is not supported");
        }
        if (d.changes() == null) {
            throw new DecodeException("snapshot delta " + d.version() + " has no changes");
        }
        return d;
    }

    /**
     * The whole snapshot {@code delta} makes of {@code base}.
     *
     * @throws DecodeException when {@code base} is not the version the delta follows, or the table it produces is
     *                         inconsistent or does not have the delta's content hash
     */
    public static RoutingSnapshot apply(RoutingSnapshot base, SnapshotDelta delta) throws DecodeException {
        return apply(base, delta, new TableHasher());
    }

    /** {@link #apply(RoutingSnapshot, SnapshotDelta)}, hashing with the reader's {@link TableHasher}. */
    public static RoutingSnapshot apply(RoutingSnapshot base, SnapshotDelta delta, TableHasher hasher) throws DecodeException {
        if (base.version() != delta.previousVersion()) {
            throw new DecodeException("snapshot delta " + delta.version() + " follows version " + delta.previousVersion()
                    + ", not " + base.version());
        }
        RoutingTable table;
        try {
            table = delta.changes().applyTo(base.table());
        } catch (IllegalArgumentException e) {
            throw new DecodeException("snapshot delta " + delta.version() + " does not apply to version " + base.version()
                    + ": " + e.getMessage(), e);
        }
        String hash = hasher.hashAs(delta.contentHash(), table);
        if (!hash.equals(delta.contentHash())) {
            throw new DecodeException("snapshot delta " + delta.version() + " content hash " + delta.contentHash()
                    + " does not match the table it produces (" + hash + ")");
        }
        return new RoutingSnapshot(delta.formatVersion(), delta.version(), delta.previousVersion(), delta.createdAt(),
                delta.provenance(), delta.contentHash(), table, delta.transactions());
    }
}
