package dev.signalbox.proxy.http;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * When a request may go to another endpoint of its backend: ingress-nginx's {@code proxy-next-upstream},
 * {@code proxy-next-upstream-tries} and {@code proxy-next-upstream-timeout} (nginx's {@code proxy_next_upstream*}).
 * Pure and immutable; {@link BackendFailures} asks it.
 *
 * @param when         the failures that pass a request on
 * @param tries        how many endpoints a request may be tried on, the first included; 0 for no limit
 * @param timeoutNanos how long after the request's arrival it may still be passed on; 0 for no limit
 */
public record NextUpstream(Set<Condition> when, int tries, long timeoutNanos) {
    /** ingress-nginx's default: {@code error timeout}, 3 tries, no time limit. */
    public static final NextUpstream DEFAULT = new NextUpstream(EnumSet.of(Condition.ERROR, Condition.TIMEOUT), 3, 0);

    /** RFC 9110 9.2.2. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    public NextUpstream {
        when = when.isEmpty() ? EnumSet.noneOf(Condition.class) : EnumSet.copyOf(when);
    }

    /** nginx's condition names. */
    public enum Condition {
        /** The connection failed or closed before a response head (a malformed head too: nginx's invalid_header). */
        ERROR,
        /** Connecting, or waiting for the response head, timed out. */
        TIMEOUT,
        INVALID_HEADER,
        HTTP_500,
        HTTP_502,
        HTTP_503,
        HTTP_504,
        HTTP_403,
        HTTP_404,
        HTTP_429,
        /** Requests that are not idempotent may be passed on after they reached a backend too. */
        NON_IDEMPOTENT;

        /** The condition a response status is, or null when no condition names it. */
        public static Condition ofStatus(int status) {
            return switch (status) {
                case 500 -> HTTP_500;
                case 502 -> HTTP_502;
                case 503 -> HTTP_503;
                case 504 -> HTTP_504;
                case 403 -> HTTP_403;
                case 404 -> HTTP_404;
                case 429 -> HTTP_429;
                default -> null;
            };
        }

        /** nginx's name, the label of {@code signalbox_upstream_retries_total}'s reason. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The policy a route's annotations give (each null: ingress-nginx's default), as the compiler wrote them: the
     * tokens sorted, empty for {@code off}.
     */
    public static NextUpstream of(List<String> tokens, Integer tries, Integer timeoutSeconds) {
        if (tokens == null && tries == null && timeoutSeconds == null) {
            return DEFAULT;
        }
        Set<Condition> when = EnumSet.noneOf(Condition.class);
        if (tokens == null) {
            when.addAll(DEFAULT.when);
        } else {
            for (String t : tokens) {
                when.add(Condition.valueOf(t.toUpperCase(Locale.ROOT)));
            }
        }
        return new NextUpstream(when, tries == null ? DEFAULT.tries : tries,
                timeoutSeconds == null ? DEFAULT.timeoutNanos : timeoutSeconds * 1_000_000_000L);
    }

    /**
     * Whether a request may go to another endpoint after {@code condition}.
     *
     * @param method       the request's method
     * @param reached      whether (part of) the request reached a backend: then a method that is not idempotent
     *                     goes on only with {@code non_idempotent}; a failed connection reached nothing
     * @param tried        the endpoints tried so far, the one that failed included
     * @param elapsedNanos since the request arrived
     */
    public boolean passesOn(Condition condition, String method, boolean reached, int tried, long elapsedNanos) {
        return when.contains(condition)
                && (!reached || IDEMPOTENT.contains(method) || when.contains(Condition.NON_IDEMPOTENT))
                && (tries == 0 || tried < tries)
                && (timeoutNanos == 0 || elapsedNanos < timeoutNanos);
    }

    /** Whether {@code method} is idempotent (RFC 9110 9.2.2). */
    public static boolean idempotent(String method) {
        return IDEMPOTENT.contains(method);
    }
}
