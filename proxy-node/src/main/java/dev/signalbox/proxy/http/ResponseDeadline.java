package dev.signalbox.proxy.http;

/**
 * When the response to a request sent to a backend is overdue, for one client connection (or HTTP/2 stream),
 * which has one request waiting at a time. Arming and disarming only note a time, so a request costs no timer:
 * one check is scheduled for the earliest possible expiry and, when it runs, either finds the response overdue
 * or says how long to wait for the deadline armed since (Netty's {@code IdleStateHandler} works the same way
 * with its read and write timestamps). Pure: times are {@code System.nanoTime()} values passed in; used on the
 * connection's event loop only.
 */
public final class ResponseDeadline {
    private final long timeoutNanos;
    private boolean armed;
    private long deadlineNanos;

    public ResponseDeadline(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("the response timeout must be positive, not " + timeoutNanos + " ns");
        }
        this.timeoutNanos = timeoutNanos;
    }

    public long timeoutNanos() {
        return timeoutNanos;
    }

    /** The request was sent at {@code nowNanos}: its response must start within the timeout. */
    public void arm(long nowNanos) {
        arm(nowNanos, timeoutNanos);
    }

    /** The request was sent at {@code nowNanos}: its response must start within {@code timeout} (its route's). */
    public void arm(long nowNanos, long timeout) {
        armed = true;
        deadlineNanos = nowNanos + timeout;
    }

    /** When the armed response is overdue (a {@code System.nanoTime()} value); meaningless when not armed. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Whether a response is awaited (armed and not yet found overdue). */
    public boolean armed() {
        return armed;
    }

    /** The response started, or the request ended otherwise: nothing is awaited. */
    public void disarm() {
        armed = false;
    }

    /** What a check running at {@code nowNanos} finds. */
    public Check check(long nowNanos) {
        if (!armed) {
            return Check.IDLE;
        }
        long left = deadlineNanos - nowNanos;
        if (left <= 0) {
            armed = false;
            return Check.EXPIRED;
        }
        return new Check.WaitFor(left);
    }

    /** The outcome of a check. */
    public sealed interface Check {
        /** Nothing is awaited: no further check until the next arm. */
        Check IDLE = new Idle();
        /** The awaited response is overdue (reported once: the deadline is disarmed). */
        Check EXPIRED = new Expired();

        record Idle() implements Check {
        }

        record Expired() implements Check {
        }

        /** A response is awaited and not yet overdue: check again after {@code nanos}. */
        record WaitFor(long nanos) implements Check {
        }
    }
}
