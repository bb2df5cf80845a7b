package dev.signalbox.compiler.kafka;

import java.time.Duration;

/**
 * When to publish after a burst of changes: once no change arrived for {@code holdOff}, or at the latest
 * {@code maxDelay} after the first unpublished change (Contour's hold-off and maximum delay). Pure: the
 * caller passes the time (System.nanoTime() in production, a number in tests). Not thread-safe.
 */
final class Batching {
    private final long holdOffNanos;
    private final long maxDelayNanos;
    private boolean pending;
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
        return pending && (now - lastChange >= holdOffNanos || now - firstChange >= maxDelayNanos);
    }

    /** How long the loop may block waiting for events before it must check {@link #due} again. */
    Duration waitBudget(long now, Duration idle) {
        if (!pending) {
            return idle;
        }
        long untilDue = Math.min(lastChange + holdOffNanos, firstChange + maxDelayNanos) - now;
        return Duration.ofNanos(Math.max(0, untilDue));
    }

    void published() {
        pending = false;
    }
}
