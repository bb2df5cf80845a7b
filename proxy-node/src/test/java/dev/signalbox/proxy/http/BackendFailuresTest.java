package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.proxy.http.BackendFailures.CloseClient;
import dev.signalbox.proxy.http.BackendFailures.Outcome;
import dev.signalbox.proxy.http.BackendFailures.Progress;
import dev.signalbox.proxy.http.BackendFailures.Replay;
import dev.signalbox.proxy.http.BackendFailures.Reply;
import dev.signalbox.proxy.http.BackendFailures.RetryElsewhere;
import dev.signalbox.proxy.http.BackendFailures.Target;
import dev.signalbox.proxy.http.BackendFailures.Tries;
import dev.signalbox.proxy.http.NextUpstream.Condition;
import dev.signalbox.proxy.tls.UpstreamTlsContexts.Failure;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackendFailuresTest {
    private static final Target TARGET = new Target("ns/svc:http", "[::1]:8080");
    private static final Failure UNKNOWN_CA = new Failure("tls_handshake", "PKIX path building failed");
    private static final Failure KEY_DOES_NOT_OPEN = new Failure("tls_config", "the client key does not open");

    private static final NextUpstream OFF = new NextUpstream(Set.of(), 3, 0);
    private static final NextUpstream ON_502_TWICE = new NextUpstream(Set.of(Condition.ERROR, Condition.HTTP_502), 2, 0);
    private static final NextUpstream FOR_A_SECOND = new NextUpstream(Set.of(Condition.ERROR, Condition.TIMEOUT), 0,
            1_000_000_000L);

    private static Tries tries(NextUpstream policy, int tried) {
        return new Tries(policy, tried, 0);
    }

    record ConnectCase(String name, Failure tls, boolean timedOut, String method, Tries tries, Outcome expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Reply REFUSED = new Reply(502,
            "could not connect to backend ns/svc:http at [::1]:8080: Connection refused", null);
    private static final Reply CONNECT_TIMED_OUT = new Reply(504, "timed out connecting to backend ns/svc:http at [::1]:8080",
            null);

    static Stream<ConnectCase> connectCases() {
        return Stream.of(
                new ConnectCase("A refused first connection is retried elsewhere", null, false, "GET",
                        tries(NextUpstream.DEFAULT, 1), new RetryElsewhere()),
                new ConnectCase("A timed-out second connection is retried elsewhere", null, true, "GET",
                        tries(NextUpstream.DEFAULT, 2), new RetryElsewhere()),
                new ConnectCase("A refused POST is retried too: nothing of it left the proxy", null, false, "POST",
                        tries(NextUpstream.DEFAULT, 1), new RetryElsewhere()),
                new ConnectCase("A third refused connection is 502 with the cause (3 tries by default)", null, false, "GET",
                        tries(NextUpstream.DEFAULT, 3), REFUSED),
                new ConnectCase("A third timed-out connection is 504", null, true, "GET", tries(NextUpstream.DEFAULT, 3),
                        CONNECT_TIMED_OUT),
                new ConnectCase("proxy-next-upstream off does not retry a refused connection", null, false, "GET",
                        tries(OFF, 1), REFUSED),
                new ConnectCase("A policy without timeout does not retry a connect timeout", null, true, "GET",
                        tries(ON_502_TWICE, 1), CONNECT_TIMED_OUT),
                new ConnectCase("proxy-next-upstream-tries 2 stops after the second endpoint", null, false, "GET",
                        tries(ON_502_TWICE, 2), REFUSED),
                new ConnectCase("tries 0 is no limit", null, false, "GET", tries(FOR_A_SECOND, 17), new RetryElsewhere()),
                new ConnectCase("past proxy-next-upstream-timeout nothing is retried", null, false, "GET",
                        new Tries(FOR_A_SECOND, 1, 1_000_000_000L), REFUSED),
                new ConnectCase("A failed handshake is 502 at once, never retried", UNKNOWN_CA, false, "GET",
                        tries(NextUpstream.DEFAULT, 0),
                        new Reply(502, "TLS with backend ns/svc:http at [::1]:8080 failed: PKIX path building failed",
                                "tls_handshake")),
                new ConnectCase("Settings this node cannot use are 502 at once", KEY_DOES_NOT_OPEN, false, "GET",
                        tries(NextUpstream.DEFAULT, 0),
                        new Reply(502, "TLS with backend ns/svc:http at [::1]:8080 failed: the client key does not open",
                                "tls_config")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectCases")
    void aFailedConnectionIsRetriedElsewhereAsThePolicySays(ConnectCase c) {
        assertEquals(c.expected(), BackendFailures.connectFailed(TARGET, c.tls(), c.timedOut(), "Connection refused",
                c.method(), c.tries()));
    }

    record PassOnCase(String name, int status, Progress progress, Tries tries, boolean expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<PassOnCase> passOnCases() {
        return Stream.of(
                new PassOnCase("A 502 to a GET goes to another endpoint when the policy says http_502", 502,
                        progress("GET", false, false, false, false), tries(ON_502_TWICE, 1), true),
                new PassOnCase("A 503 is answered when the policy names only http_502", 503,
                        progress("GET", false, false, false, false), tries(ON_502_TWICE, 1), false),
                new PassOnCase("ingress-nginx's default passes on no status", 502,
                        progress("GET", false, false, false, false), tries(NextUpstream.DEFAULT, 1), false),
                new PassOnCase("A POST that reached the backend is not passed on", 502,
                        progress("POST", false, false, false, false), tries(ON_502_TWICE, 1), false),
                new PassOnCase("non_idempotent passes a POST on", 502, progress("POST", false, false, false, false),
                        tries(new NextUpstream(Set.of(Condition.HTTP_502, Condition.NON_IDEMPOTENT), 3, 0), 1), true),
                new PassOnCase("A PUT whose body was streamed cannot be sent again", 502,
                        progress("PUT", false, false, true, false), tries(ON_502_TWICE, 1), false),
                new PassOnCase("Tries spent: the 502 is answered", 502, progress("GET", false, false, false, false),
                        tries(ON_502_TWICE, 2), false),
                new PassOnCase("A read timeout passes a GET on under the default (timeout)", 0,
                        progress("GET", false, false, false, false), tries(NextUpstream.DEFAULT, 1), true),
                new PassOnCase("A read timeout is 504 when the policy is off", 0,
                        progress("GET", false, false, false, false), tries(OFF, 1), false),
                new PassOnCase("A 200 is never passed on", 200, progress("GET", false, false, false, false),
                        tries(new NextUpstream(Set.of(Condition.values()), 0, 0), 1), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passOnCases")
    void anAnswerGoesToAnotherEndpointOnlyAsThePolicySays(PassOnCase c) {
        assertEquals(c.expected(), BackendFailures.passOn(c.status(), c.progress(), c.tries()));
    }

    record CloseCase(String name, Progress progress, Failure tls, String cause, Outcome expected, NextUpstream policy) {
        CloseCase(String name, Progress progress, Failure tls, String cause, Outcome expected) {
            this(name, progress, tls, cause, expected, NextUpstream.DEFAULT);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** method, reused connection, replayed already, body sent, response started. */
    private static Progress progress(String method, boolean reused, boolean replayed, boolean bodySent, boolean started) {
        return new Progress(method, reused, replayed, bodySent, started);
    }

    private static final Reply CLOSED = new Reply(502,
            "backend ns/svc:http at [::1]:8080 closed the connection before responding", "closed");

    static Stream<CloseCase> closeCases() {
        return Stream.of(
                new CloseCase("A GET on a reused connection closed before any response is replayed",
                        progress("GET", true, false, false, false), null, null, new Replay()),
                new CloseCase("Every idempotent method is replayed", progress("DELETE", true, false, false, false), null,
                        null, new Replay()),
                new CloseCase("A replay is replayed only once", progress("GET", true, true, false, false), null, null, CLOSED),
                new CloseCase("A POST is never replayed", progress("POST", true, false, false, false), null, null, CLOSED),
                new CloseCase("A PUT whose body bytes left is not replayed", progress("PUT", true, false, true, false), null,
                        null, CLOSED),
                new CloseCase("A GET on a new connection closed before any response (a backend that died) is replayed",
                        progress("GET", false, false, false, false), null, "Connection reset by peer", new Replay()),
                new CloseCase("A TLS failure on a new connection is explained, not replayed",
                        progress("GET", false, false, false, false), UNKNOWN_CA, null,
                        new Reply(502, "TLS with backend ns/svc:http at [::1]:8080 failed: PKIX path building failed",
                                "tls_handshake")),
                new CloseCase("A failure says its cause", progress("POST", false, false, false, false), null,
                        "Connection reset by peer", new Reply(502, "backend ns/svc:http at [::1]:8080 closed the "
                        + "connection before responding: Connection reset by peer", "closed")),
                new CloseCase("A close once the response started can only cut the client connection",
                        progress("GET", true, false, false, true), null, null, new CloseClient("closed")),
                new CloseCase("A TLS alert before the response is explained",
                        progress("POST", false, false, false, false), UNKNOWN_CA, null,
                        new Reply(502, "TLS with backend ns/svc:http at [::1]:8080 failed: PKIX path building failed",
                                "tls_handshake")),
                new CloseCase("A TLS alert after the response started still cuts the connection",
                        progress("GET", false, false, false, true), UNKNOWN_CA, null, new CloseClient("closed")),
                new CloseCase("A replayable request is replayed even over TLS",
                        progress("GET", true, false, false, false), UNKNOWN_CA, null, new Replay()),
                new CloseCase("With proxy-next-upstream off a GET whose new connection closed is 502, not replayed",
                        progress("GET", false, false, false, false), null, null, CLOSED, OFF),
                new CloseCase("With off a kept-alive connection the backend closed as it was reused is still replayed (a race, not a failure)",
                        progress("GET", true, false, false, false), null, null, new Replay(), OFF));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closeCases")
    void aBackendClosingEarlyIsReplayedOnceOrAnswered(CloseCase c) {
        assertEquals(c.expected(), BackendFailures.closed(TARGET, c.progress(), c.tls(), c.cause(), c.policy()));
    }

    @org.junit.jupiter.api.Test
    void aResponseTimeoutIs504WithTheTimeout() {
        assertEquals(new Reply(504, "backend ns/svc:http at [::1]:8080 did not respond within 250 ms", "response_timeout"),
                BackendFailures.responseTimedOut(TARGET, 250));
    }
}
