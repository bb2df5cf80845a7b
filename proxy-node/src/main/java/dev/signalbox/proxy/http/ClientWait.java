package dev.signalbox.proxy.http;

/**
 * What a client connection is waiting for, and until when: a request head (nginx's {@code client_header_timeout},
 * from the connection's start or from the first byte of a later request), the next request on an idle kept-alive
 * connection ({@code keepalive_timeout}, from the end of the last response), or, while requests are under way,
 * traffic either way within the idle time (a connection silent that long is closed, unless a response head is
 * awaited: the request's response timeout bounds that wait). An HTTP/2 connection ({@link #idleOnly}) is under way
 * from its start and has the idle close only.
 * <p>
 * Noting an event only records a time, so a request costs no timer; a check says whether the wait is over or how
 * long to sleep before the next check, never longer than the shortest timeout, so a check scheduled earlier is
 * never late for a deadline set since. Pure: times are {@code System.nanoTime()} values passed in; used on the
 * connection's event loop only.
 */
public final class ClientWait {
    /** What the connection waits for. */
    public enum Phase {
        /** A request head, or the rest of one. */
        HEADER("header"),
        /** Requests are under way: only the idle close applies. */
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
    private final long idleNanos;
    private final long checkEveryNanos;
    private Phase phase;
    /** When the header or keep-alive wait is over. */
    private long deadlineNanos;
    /** When a busy connection without traffic is idle. */
    private long idleDeadlineNanos;
    private int outstanding;

    private ClientWait(long headerNanos, long keepaliveNanos, long idleNanos, Phase phase, long nowNanos) {
        this.headerNanos = headerNanos;
        this.keepaliveNanos = keepaliveNanos;
        this.idleNanos = idleNanos;
        this.checkEveryNanos = Math.min(idleNanos, Math.min(headerNanos, keepaliveNanos));
        this.phase = phase;
        this.deadlineNanos = nowNanos + headerNanos;
        this.idleDeadlineNanos = nowNanos + idleNanos;
    }

    /** An HTTP/1.1 connection accepted at {@code nowNanos}: its first request head is awaited. */
    public ClientWait(ClientPolicy policy, long idleNanos, long nowNanos) {
        this(policy.headerTimeout().toNanos(), policy.keepaliveTimeout().toNanos(), idleNanos, Phase.HEADER, nowNanos);
    }

    /** An HTTP/2 connection started at {@code nowNanos}: busy throughout, closed after {@code idleNanos} without traffic. */
    public static ClientWait idleOnly(long idleNanos, long nowNanos) {
        return new ClientWait(Long.MAX_VALUE, Long.MAX_VALUE, idleNanos, Phase.BUSY, nowNanos);
    }

    public Phase phase() {
        return phase;
    }

    /**
     * The connection read at {@code nowNanos}; {@code decoded}: the read completed a message (a head, part of a
     * body), which is traffic. Any read on an idle kept-alive connection starts the next request's head.
     */
    public void read(long nowNanos, boolean decoded) {
        if (phase == Phase.KEEPALIVE) {
            phase = Phase.HEADER;
            deadlineNanos = nowNanos + headerNanos;
        }
        if (decoded) {
            idleDeadlineNanos = nowNanos + idleNanos;
        }
    }

    /** Bytes left for the client at {@code nowNanos}. */
    public void wrote(long nowNanos) {
        idleDeadlineNanos = nowNanos + idleNanos;
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

    /**
     * What a check running at {@code nowNanos} finds; {@code responseAwaited}: a request was sent and its response
     * head is awaited. An idle busy connection awaiting one is checked again one idle time later (as Netty's
     * {@code IdleStateHandler} fires its next event), and closed then if still idle and no longer awaiting.
     */
    public Check check(long nowNanos, boolean responseAwaited) {
        if (phase != Phase.BUSY) {
            long left = deadlineNanos - nowNanos;
            return left <= 0 ? new Check.Expired(phase) : new Check.WaitFor(Math.min(left, checkEveryNanos));
        }
        long left = idleDeadlineNanos - nowNanos;
        if (left > 0) {
            return new Check.WaitFor(Math.min(left, checkEveryNanos));
        }
        if (!responseAwaited) {
            return new Check.Expired(phase);
        }
        idleDeadlineNanos = nowNanos + idleNanos;
        return new Check.WaitFor(checkEveryNanos);
    }

    /** How long the first check may wait at most (the shortest timeout). */
    public long checkEveryNanos() {
        return checkEveryNanos;
    }

    /** The outcome of a check. */
    public sealed interface Check {
        /**
         * The wait of {@code phase} is over: the connection closes. {@link Phase#BUSY}: no traffic within the idle
         * time.
         */
        record Expired(Phase phase) implements Check {
        }

        /** Check again after {@code nanos}. */
        record WaitFor(long nanos) implements Check {
        }
    }
}
