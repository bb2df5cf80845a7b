package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ResponseDeadline;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The response timeout of one client connection (or HTTP/2 stream): at most one scheduled check at a time,
 * scheduled when a request is sent and none is pending, and rescheduled by itself while responses are awaited
 * ({@link ResponseDeadline} decides). A kept-alive connection thus schedules about one task per timeout period
 * instead of a schedule and a cancel on the event loop's task queue per request. Event loop only.
 */
final class ResponseTimer {
    private final EventExecutor loop;
    private final ResponseDeadline deadline;
    private final Runnable onExpired;
    private ScheduledFuture<?> check;
    /** When {@code check} runs (System.nanoTime()). */
    private long checkAt;

    ResponseTimer(EventExecutor loop, Duration timeout, Runnable onExpired) {
        this.loop = loop;
        this.deadline = new ResponseDeadline(timeout.toNanos());
        this.onExpired = onExpired;
    }

    /** The request was sent now: {@code onExpired} runs unless {@link #disarm()} comes within the timeout. */
    void arm() {
        arm(deadline.timeoutNanos());
    }

    /**
     * As {@link #arm()}, with the request's own timeout (its route's read timeout). A pending check due after this
     * deadline is replaced; with one timeout for every request a pending check is never later, so nothing changes.
     */
    void arm(long timeoutNanos) {
        long now = System.nanoTime();
        deadline.arm(now, timeoutNanos);
        if (check != null && checkAt - deadline.deadlineNanos() > 0) {
            check.cancel(false);
            check = null;
        }
        if (check == null) {
            schedule(timeoutNanos);
        }
    }

    /** Whether a response head is awaited. */
    boolean armed() {
        return deadline.armed();
    }

    void disarm() {
        deadline.disarm();
    }

    /** The connection closed: the pending check goes too. */
    void stop() {
        deadline.disarm();
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule(long nanos) {
        checkAt = System.nanoTime() + nanos;
        check = loop.schedule(this::run, nanos, TimeUnit.NANOSECONDS);
    }

    private void run() {
        check = null;
        ResponseDeadline.Check c = deadline.check(System.nanoTime());
        if (c instanceof ResponseDeadline.Check.WaitFor w) {
            schedule(w.nanos());
        } else if (c == ResponseDeadline.Check.EXPIRED) {
            onExpired.run();
        }
    }
}
