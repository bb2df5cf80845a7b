package dev.signalbox.proxy.http;

/**
 * What an HTTP/1.1 client connection is waiting for, and until when: a request head (nginx's
 * {@code client_header_timeout}, from the connection's start or from the first byte of a later request), the
 * next request on an idle kept-alive connection ({@code keepalive_timeout}, from the end of the last response),
 * or nothing while requests are under way (the response timeout and the backends' own limits apply then).
 * Noting an event only records a time, so a request costs no timer; a check says whether the wait is over or how
 * long to sleep before the next check, never longer than the shorter timeout, so a check scheduled earlier is
 * never late for a deadline set since. Pure: times are {@code System.nanoTime()} values passed in; used on the
 * connection's event loop only.
 */
public final class ClientWait {
    /** What the connection waits for. */
    public enum Phase {
        /** A request head, or the rest of one. */
        HEADER("header"),
        /** Requests are under way: no client timeout of ours applies. */
        BUSY("busy"),
        /** The next request on a kept-alive connection. */
        KEEPALIVE("keepalive");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** The metric label of a timeout in this phase. */
        public String label() {
            return label;
        }
    }

    private final long headerNanos;
    private final long keepaliveNanos;
    private final long checkEveryNanos;
    private Phase phase = Phase.HEADER;
    private long deadlineNanos;
    private int outstanding;

    /** A connection accepted at {@code nowNanos}: its first request head is awaited. */
    public ClientWait(ClientPolicy policy, long nowNanos) {
        this.headerNanos = policy.headerTimeout().toNanos();
        this.keepaliveNanos = policy.keepaliveTimeout().toNanos();
        this.checkEveryNanos = Math.min(headerNanos, keepaliveNanos);
        this.deadlineNanos = nowNanos + headerNanos;
    }

    public Phase phase() {
        return phase;
    }

    /** Bytes arrived from the client: on an idle kept-alive connection they start the next request's head. */
    public void bytesReceived(long nowNanos) {
        if (phase == Phase.KEEPALIVE) {
            phase = Phase.HEADER;
            deadlineNanos = nowNanos + headerNanos;
        }
    }

    /** A whole request head arrived. */
    public void headReceived() {
        outstanding++;
        phase = Phase.BUSY;
    }

    /** A final response (not 1xx) was sent whole; once every request has one the connection idles. */
    public void responseSent(long nowNanos) {
        if (outstanding > 0) {
            outstanding--;
        }
        if (outstanding == 0 && phase == Phase.BUSY) {
            phase = Phase.KEEPALIVE;
            deadlineNanos = nowNanos + keepaliveNanos;
        }
    }

    /** What a check running at {@code nowNanos} finds. */
    public Check check(long nowNanos) {
        if (phase == Phase.BUSY) {
            return new Check.Idle();
        }
        long left = deadlineNanos - nowNanos;
        if (left <= 0) {
            return new Check.Expired(phase);
        }
        return new Check.WaitFor(Math.min(left, checkEveryNanos));
    }

    /** How long the next check may wait at most (the shorter timeout). */
    public long checkEveryNanos() {
        return checkEveryNanos;
    }

    /** The outcome of a check. */
    public sealed interface Check {
        /** Requests are under way: no check until the connection waits again. */
        record Idle() implements Check {
        }

        /** The wait of {@code phase} is over: the connection closes. */
        record Expired(Phase phase) implements Check {
        }

        /** Check again after {@code nanos}. */
        record WaitFor(long nanos) implements Check {
        }
    }
}
