package dev.signalbox.schemas.codec;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts records that could not be decoded, per topic family. A record that fails to decode is logged,
 * counted here and skipped; it never stops a consumer. Components export these counts as metrics.
 */
public final class DecodeFailures {
    public static final AtomicLong EVENTS = new AtomicLong();
    public static final AtomicLong SNAPSHOTS = new AtomicLong();

    private DecodeFailures() {
    }
}
