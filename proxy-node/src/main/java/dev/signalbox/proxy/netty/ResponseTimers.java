package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ResponseDeadline;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The response timers of one client connection: its own on HTTP/1.1, one per stream on HTTP/2. Arming a timer only
 * notes a deadline ({@link ResponseDeadline}); the group keeps at most one check scheduled, for the earliest deadline
 * it knows of, and when the check runs it reports the overdue timers and schedules itself again for the next deadline
 * (as Netty's {@code IdleStateHandler} does). A kept-alive connection thus schedules about one task per timeout
 * period, and an HTTP/2 stream none of its own (it was a schedule and a cancel on the event loop's task queue per
 * stream). Event loop only.
 */
final class ResponseTimers {
    private final EventExecutor loop;
    private final long timeoutNanos;
    /** The timers not stopped, each at its {@link ResponseTimer#index}. */
    private final ArrayList<ResponseTimer> members = new ArrayList<>();
    private ScheduledFuture<?> check;
    /** When {@code check} runs (System.nanoTime()). */
    private long checkAt;

    ResponseTimers(EventExecutor loop, Duration timeout) {
        this.loop = loop;
        this.timeoutNanos = timeout.toNanos();
    }

    /** A timer of this connection (or of one of its streams); {@code onExpired} runs when its response is overdue. */
    ResponseTimer timer(Runnable onExpired) {
        return new ResponseTimer(this, new ResponseDeadline(timeoutNanos), onExpired);
    }

    /** The connection closed: nothing more is checked. */
    void stop() {
        for (ResponseTimer t : members) {
            t.deadline().disarm();
            t.index = -1;
        }
        members.clear();
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    /** {@code t} was armed for {@code deadlineNanos}: a check due later than that is replaced by one due then. */
    void armed(ResponseTimer t, long deadlineNanos, long nowNanos) {
        if (t.index < 0) {
            t.index = members.size();
            members.add(t);
        }
        if (check != null && checkAt - deadlineNanos > 0) {
            check.cancel(false);
            check = null;
        }
        if (check == null) {
            schedule(deadlineNanos - nowNanos, nowNanos);
        }
    }

    /** {@code t} is done with (its stream or connection ended): it leaves the group; a pending check stays. */
    void stopped(ResponseTimer t) {
        int i = t.index;
        if (i < 0) {
            return;
        }
        ResponseTimer last = members.remove(members.size() - 1);
        if (last != t) {
            members.set(i, last);
            last.index = i;
        }
        t.index = -1;
    }

    private void schedule(long nanos, long nowNanos) {
        checkAt = nowNanos + nanos;
        check = loop.schedule(this::run, nanos, TimeUnit.NANOSECONDS);
    }

    private void run() {
        check = null;
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        List<ResponseTimer> overdue = null;
        for (ResponseTimer t : members) {
            ResponseDeadline.Check c = t.deadline().check(now);
            if (c instanceof ResponseDeadline.Check.WaitFor w) {
                next = Math.min(next, w.nanos());
            } else if (c == ResponseDeadline.Check.EXPIRED) {
                if (overdue == null) {
                    overdue = new ArrayList<>(2);
                }
                overdue.add(t);
            }
        }
        if (next != Long.MAX_VALUE) {
            schedule(next, now);
        }
        if (overdue != null) {
            // After the scan: answering an overdue request may end its stream, which changes the members.
            overdue.forEach(ResponseTimer::expired);
        }
    }
}
