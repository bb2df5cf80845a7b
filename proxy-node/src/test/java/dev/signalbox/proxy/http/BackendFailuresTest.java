package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.proxy.http.BackendFailures.CloseClient;
import dev.signalbox.proxy.http.BackendFailures.Outcome;
import dev.signalbox.proxy.http.BackendFailures.Progress;
import dev.signalbox.proxy.http.BackendFailures.Replay;
import dev.signalbox.proxy.http.BackendFailures.Reply;
import dev.signalbox.proxy.http.BackendFailures.RetryElsewhere;
import dev.signalbox.proxy.http.BackendFailures.Target;
import dev.signalbox.proxy.tls.UpstreamTlsContexts.Failure;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackendFailuresTest {
    private static final Target TARGET = new Target("ns/svc:http", "[::1]:8080");
    private static final Failure UNKNOWN_CA = new Failure("tls_handshake", "PKIX path building failed");
    private static final Failure KEY_DOES_NOT_OPEN = new Failure("tls_config", "the client key does not open");

    record ConnectCase(String name, Failure tls, boolean timedOut, int failedSoFar, Outcome expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ConnectCase> connectCases() {
        return Stream.of(
                new ConnectCase("A refused first connection is retried elsewhere", null, false, 1, new RetryElsewhere()),
                new ConnectCase("A timed-out second connection is retried elsewhere", null, true, 2, new RetryElsewhere()),
                new ConnectCase("A third refused connection is 502 with the cause", null, false, 3,
                        new Reply(502, "could not connect to backend ns/svc:http at [::1]:8080: Connection refused", null)),
                new ConnectCase("A third timed-out connection is 504", null, true, 3,
                        new Reply(504, "timed out connecting to backend ns/svc:http at [::1]:8080", null)),
                new ConnectCase("A failed handshake is 502 at once, never retried", UNKNOWN_CA, false, 0,
                        new Reply(502, "TLS with backend ns/svc:http at [::1]:8080 failed: PKIX path building failed",
                                "tls_handshake")),
                new ConnectCase("Settings this node cannot use are 502 at once", KEY_DOES_NOT_OPEN, false, 0,
                        new Reply(502, "TLS with backend ns/svc:http at [::1]:8080 failed: the client key does not open",
                                "tls_config")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectCases")
    void aFailedConnectionIsRetriedElsewhereUntilTheRetriesAreSpent(ConnectCase c) {
        assertEquals(c.expected(), BackendFailures.connectFailed(TARGET, c.tls(), c.timedOut(), "Connection refused",
                c.failedSoFar()));
    }

    record CloseCase(String name, Progress progress, Failure tls, String cause, Outcome expected) {
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
                        progress("GET", true, false, false, false), UNKNOWN_CA, null, new Replay()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closeCases")
    void aBackendClosingEarlyIsReplayedOnceOrAnswered(CloseCase c) {
        assertEquals(c.expected(), BackendFailures.closed(TARGET, c.progress(), c.tls(), c.cause()));
    }

    @org.junit.jupiter.api.Test
    void aResponseTimeoutIs504WithTheTimeout() {
        assertEquals(new Reply(504, "backend ns/svc:http at [::1]:8080 did not respond within 250 ms", "response_timeout"),
                BackendFailures.responseTimedOut(TARGET, 250));
    }
}
