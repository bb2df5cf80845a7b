package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClientWaitTest {
    /** Header timeout 60, keep-alive timeout 75 (nginx's defaults), in seconds as nanos. */
    private static final ClientPolicy POLICY = new ClientPolicy(Duration.ofNanos(60), Duration.ofNanos(75), false);
    /** The idle time of a busy connection. */
    private static final long IDLE = 50;

    /**
     * An HTTP/1.1 connection (or an HTTP/2 one, {@code http2}) opened at 0, then steps: "read@T" (bytes that
     * completed no message), "decoded@T" (a read that did), "head", "response@T", "wrote@T", and "check@T" or
     * "awaiting@T" (a check while a response head is awaited) whose outcome is recorded as the phase it found and
     * what it decided.
     */
    record Case(String name, boolean http2, List<String> steps, List<String> expected) {
        Case(String name, List<String> steps, List<String> expected) {
            this(name, false, steps, expected);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("A new connection waits for its first head for the header timeout",
                        List.of("check@10", "check@59", "check@60"), List.of("header wait 50", "header wait 1", "header expired")),
                new Case("A connection sending its head one byte at a time is still timed from its start",
                        List.of("read@1", "decoded@30", "read@59", "check@60"), List.of("header expired")),
                new Case("While a request is under way, traffic either way within the idle time keeps the connection",
                        List.of("head", "decoded@0", "wrote@30", "check@40", "check@80"),
                        List.of("busy wait 40", "busy expired")),
                new Case("Bytes that complete no message are no traffic for the idle time",
                        List.of("head", "decoded@0", "read@30", "check@50"), List.of("busy expired")),
                new Case("An idle connection awaiting a response head is checked again an idle time later",
                        List.of("head", "decoded@0", "awaiting@50", "check@99", "check@100"),
                        List.of("busy wait 50", "busy wait 1", "busy expired")),
                new Case("After the response, an idle kept-alive connection lasts the keep-alive timeout",
                        List.of("head", "response@100", "check@160", "check@174", "check@175"),
                        List.of("keepalive wait 15", "keepalive wait 1", "keepalive expired")),
                new Case("The first byte of the next request starts the header timeout",
                        List.of("head", "response@100", "read@170", "check@175", "check@229", "check@230"),
                        List.of("header wait 50", "header wait 1", "header expired")),
                new Case("A pipelined request keeps the connection busy until both responses are sent",
                        List.of("head", "head", "response@10", "wrote@10", "check@20", "response@300", "check@374"),
                        List.of("busy wait 40", "keepalive wait 1")),
                new Case("A response without a request it answers (a refusal) still idles the connection",
                        List.of("response@5", "check@6"), List.of("header wait 50")),
                new Case("An HTTP/2 connection is busy from its start and closed after the idle time without traffic", true,
                        List.of("check@10", "decoded@20", "wrote@30", "check@60", "check@80"),
                        List.of("busy wait 40", "busy wait 20", "busy expired")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhatTheConnectionWaitsFor(Case c) {
        ClientWait w = c.http2() ? ClientWait.idleOnly(IDLE, 0) : new ClientWait(POLICY, IDLE, 0);
        List<String> seen = new ArrayList<>();
        for (String step : c.steps()) {
            String[] p = step.split("@");
            long t = p.length > 1 ? Long.parseLong(p[1]) : 0;
            switch (p[0]) {
                case "read" -> w.read(t, false);
                case "decoded" -> w.read(t, true);
                case "head" -> w.headReceived();
                case "response" -> w.responseSent(t);
                case "wrote" -> w.wrote(t);
                case "check", "awaiting" -> {
                    String phase = w.phase().label();
                    ClientWait.Check k = w.check(t, p[0].equals("awaiting"));
                    seen.add(phase + " " + (k instanceof ClientWait.Check.WaitFor f ? "wait " + f.nanos() : "expired"));
                }
                default -> throw new IllegalArgumentException(step);
            }
        }
        assertEquals(c.expected(), seen);
    }
}
