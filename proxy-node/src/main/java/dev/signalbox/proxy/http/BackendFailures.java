package dev.signalbox.proxy.http;

import dev.signalbox.proxy.tls.UpstreamTlsContexts;

/**
 * What the proxy does when a backend fails a request: try another endpoint, replay the request on a new
 * connection, answer the client itself (and with what), or close the client connection. Pure: the exchange
 * on the event loop says what happened and how far the request got, and does what the answer says
 * (DESIGN.md, "Backend failures: retries and outlier ejection"). Every error reply's wording is here.
 */
public final class BackendFailures {
    private BackendFailures() {
    }

    /**
     * How many endpoints a request was tried on and when it arrived, with its route's {@link NextUpstream} policy.
     *
     * @param tried        the endpoints tried so far, the one that just failed included
     * @param elapsedNanos since the request arrived
     */
    public record Tries(NextUpstream policy, int tried, long elapsedNanos) {
    }

    /** The backend and endpoint address (as error bodies write it) a request was sent to. */
    public record Target(String backendId, String address) {
    }

    /** How far a request got with a backend connection that closed (or failed) before the response ended. */
    public record Progress(String method, boolean reusedConnection, boolean replayed, boolean bodySent,
                           boolean responseStarted) {
    }

    /** What to do. */
    public sealed interface Outcome permits RetryElsewhere, Replay, Reply, CloseClient {
    }

    /** Connect to another endpoint of the same backend, if there is one left; else {@link #cannotConnect}. */
    public record RetryElsewhere() implements Outcome {
    }

    /** Send the same head again, once, on a new connection to the same endpoint. */
    public record Replay() implements Outcome {
    }

    /**
     * Answer the client with {@code status} and a plain-text {@code reason}; {@code errorKind} labels
     * signalbox_upstream_errors_total, null when the failure was counted already.
     */
    public record Reply(int status, String reason, String errorKind) implements Outcome {
    }

    /** Part of the response is on the wire: only closing the client connection tells it the rest is missing. */
    public record CloseClient(String errorKind) implements Outcome {
    }

    /**
     * A connection to the target failed before it was established. A TLS failure is the backend's settings or
     * certificate, the same on every endpoint: answered at once. Any other failure is retried elsewhere when the
     * route's policy passes it on ({@code error} for a refusal, {@code timeout} for a connect timeout: ingress-nginx's
     * default has both) and tries are left; nothing of the request left the proxy, so whatever the method.
     *
     * @param tls the TLS failure, or null
     */
    public static Outcome connectFailed(Target target, UpstreamTlsContexts.Failure tls, boolean timedOut, String cause,
                                        String method, Tries tries) {
        if (tls != null) {
            return tlsReply(target, tls);
        }
        if (tries.policy().passesOn(timedOut ? NextUpstream.Condition.TIMEOUT : NextUpstream.Condition.ERROR, method,
                false, tries.tried(), tries.elapsedNanos())) {
            return new RetryElsewhere();
        }
        return cannotConnect(target, timedOut, cause);
    }

    /**
     * The backend answered {@code status}, or its head did not come within the read timeout ({@code status} 0),
     * with the whole request sent: whether to drop that answer and send the request to another endpoint instead.
     * Only when the policy names the condition ({@code http_502}, {@code timeout}, ...), the request had no body
     * (the proxy streams bodies and keeps none to send again), it is idempotent or the policy says
     * {@code non_idempotent}, and tries and time are left.
     */
    public static boolean passOn(int status, Progress p, Tries tries) {
        NextUpstream.Condition c = status == 0 ? NextUpstream.Condition.TIMEOUT : NextUpstream.Condition.ofStatus(status);
        return c != null && !p.bodySent() && !p.responseStarted()
                && tries.policy().passesOn(c, p.method(), true, tries.tried(), tries.elapsedNanos());
    }

    /** The answer when no endpoint could be connected to; the failures were counted as they happened. */
    public static Reply cannotConnect(Target target, boolean timedOut, String cause) {
        return timedOut
                ? new Reply(504, "timed out connecting to backend " + target.backendId() + " at " + target.address(), null)
                : new Reply(502, "could not connect to backend " + target.backendId() + " at " + target.address() + ": "
                        + cause, null);
    }

    /**
     * The backend connection closed (or failed) before the response was complete. An idempotent request with
     * no body bytes sent and no response yet is replayed once on a new connection (RFC 9110 9.2.2): on a reused
     * keep-alive connection that is the backend's keep-alive timeout racing reuse (RFC 9112 9.3.1); on a new one,
     * a backend that died with the request in flight, whose endpoint then refuses the new connection, so the
     * replay goes to another endpoint (what nginx's default {@code proxy_next_upstream error} does; not with a
     * policy without {@code error}, such as {@code off}). A TLS
     * failure on a new connection is explained instead, a response under way can only be cut, and anything else
     * is 502.
     *
     * @param tls   the TLS failure that explains the close, or null
     * @param cause the failure's message, null for an orderly close
     */
    public static Outcome closed(Target target, Progress p, UpstreamTlsContexts.Failure tls, String cause,
                                 NextUpstream policy) {
        // On a reused connection the replay answers a race, whatever the policy; on a new one it is nginx's "error".
        if ((p.reusedConnection() || (tls == null && policy.when().contains(NextUpstream.Condition.ERROR)))
                && !p.replayed() && !p.responseStarted() && !p.bodySent() && NextUpstream.idempotent(p.method())) {
            return new Replay();
        }
        if (tls != null && !p.responseStarted()) {
            // An alert after the handshake, or a close right after it (TLS 1.3 checks client certificates late).
            return tlsReply(target, tls);
        }
        if (p.responseStarted()) {
            return new CloseClient("closed");
        }
        return new Reply(502, "backend " + target.backendId() + " at " + target.address()
                + " closed the connection before responding" + (cause == null ? "" : ": " + cause), "closed");
    }

    /** The request was sent in full and no response head came within {@code timeoutMs}. */
    public static Reply responseTimedOut(Target target, long timeoutMs) {
        return new Reply(504, "backend " + target.backendId() + " at " + target.address() + " did not respond within "
                + timeoutMs + " ms", "response_timeout");
    }

    /**
     * The backend answered 101 to a request that did not ask for that protocol (or for none): the connection is
     * in a protocol the proxy cannot read, so it is dropped and the client gets 502.
     */
    public static Reply unexpectedSwitch(Target target, String protocol) {
        return new Reply(502, "backend " + target.backendId() + " at " + target.address()
                + " switched to a protocol the request did not ask for: " + (protocol == null ? "(none named)" : protocol),
                "protocol");
    }

    private static Reply tlsReply(Target target, UpstreamTlsContexts.Failure tls) {
        return new Reply(502, "TLS with backend " + target.backendId() + " at " + target.address() + " failed: "
                + tls.reason(), tls.kind());
    }
}
