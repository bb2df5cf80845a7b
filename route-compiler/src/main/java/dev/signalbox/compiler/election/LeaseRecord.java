package dev.signalbox.compiler.election;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One record of the lease topic ({@code signalbox.compiler.lease}): a compiler claims a term, the holder of a
 * term renews it, and releases it when it stops. Encoded as one line of text, {@code KIND TERM HOLDER}, so the
 * topic reads with {@code kafka-console-consumer}.
 */
public record LeaseRecord(Kind kind, long term, String holder) {
    public enum Kind { CLAIM, RENEW, RELEASE }

    public LeaseRecord {
        if (term < 1 || holder.isBlank() || holder.contains(" ")) {
            throw new IllegalArgumentException("not a lease record: " + kind + " " + term + " '" + holder + "'");
        }
    }

    public byte[] encode() {
        return (kind + " " + term + " " + holder).getBytes(StandardCharsets.UTF_8);
    }

    /** The record, or empty for anything else (a record this version does not understand is ignored). */
    public static Optional<LeaseRecord> decode(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        String[] parts = new String(value, StandardCharsets.UTF_8).split(" ");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LeaseRecord(Kind.valueOf(parts[0]), Long.parseLong(parts[1]), parts[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
