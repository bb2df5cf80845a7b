package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ResponseDeadline;

/**
 * The response timeout of one client connection (or HTTP/2 stream), which has one request waiting at a time:
 * arming and disarming note a deadline, and its {@link ResponseTimers} (one per client connection) schedules the
 * checks. Event loop only.
 */
final class ResponseTimer {
    private final ResponseTimers group;
    private final ResponseDeadline deadline;
    private final Runnable onExpired;
    /** Its place among the group's timers, or -1 when it is not there (never armed, or stopped). */
    int index = -1;

    ResponseTimer(ResponseTimers group, ResponseDeadline deadline, Runnable onExpired) {
        this.group = group;
        this.deadline = deadline;
        this.onExpired = onExpired;
    }

    /**
     * The request was sent now, with its own timeout (its route's read timeout): {@code onExpired} runs unless
     * {@link #disarm()} comes within it.
     */
    void arm(long timeoutNanos) {
        long now = System.nanoTime();
        deadline.arm(now, timeoutNanos);
        group.armed(this, deadline.deadlineNanos(), now);
    }

    /** Whether a response head is awaited. */
    boolean armed() {
        return deadline.armed();
    }

    void disarm() {
        deadline.disarm();
    }

    /** The connection or stream ended: nothing more is awaited. */
    void stop() {
        deadline.disarm();
        group.stopped(this);
    }

    ResponseDeadline deadline() {
        return deadline;
    }

    void expired() {
        onExpired.run();
    }
}
