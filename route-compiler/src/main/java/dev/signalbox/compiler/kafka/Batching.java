package dev.signalbox.compiler.kafka;

import java.time.Duration;

/**
 * When to publish after changes. A change that comes after at least {@code holdOff} without a publish is
 * published at once (with everything that arrived in the same poll): a lone edit should not wait. Changes
 * that come sooner are batched: they are due once no change arrived for {@code holdOff}, or at the latest
 * {@code maxDelay} after the first of them (Contour's hold-off and maximum delay). So a burst costs at
 * most one version more than with a trailing hold-off alone, and a steady stream of changes is published
 * every {@code maxDelay}. Pure: the caller passes the time (System.nanoTime() in production, a number in
 * tests). Not thread-safe.
 */
final class Batching {
    private final long holdOffNanos;
    private final long maxDelayNanos;
    private boolean pending;
    private boolean publishedBefore;
    private long lastPublished;
    private long firstChange;
    private long lastChange;

    Batching(Duration holdOff, Duration maxDelay) {
        this.holdOffNanos = holdOff.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
    }

    void changed(long now) {
        if (!pending) {
            pending = true;
            firstChange = now;
        }
        lastChange = now;
    }

    boolean pending() {
        return pending;
    }

    boolean due(long now) {
        return pending && (immediate() || now - lastChange >= holdOffNanos || now - firstChange >= maxDelayNanos);
    }

    /** How long the loop may block waiting for events before it must check {@link #due} again. */
    Duration waitBudget(long now, Duration idle) {
        if (!pending) {
            return idle;
        }
        if (immediate()) {
            return Duration.ZERO;
        }
        long untilDue = Math.min(lastChange + holdOffNanos, firstChange + maxDelayNanos) - now;
        return Duration.ofNanos(Math.max(0, untilDue));
    }

    /** The pending changes began a hold-off or more after the last publish (or before any): due at once. */
    private boolean immediate() {
        return !publishedBefore || firstChange - lastPublished >= holdOffNanos;
    }

    void published(long now) {
        pending = false;
        publishedBefore = true;
        lastPublished = now;
    }
}
