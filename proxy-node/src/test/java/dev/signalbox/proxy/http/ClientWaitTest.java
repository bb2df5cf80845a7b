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

    /**
     * A connection opened at 0, then steps: "bytes@T", "head", "response@T", and "check@T" whose outcome is
     * recorded as the phase it found and what it decided.
     */
    record Case(String name, List<String> steps, List<String> expected) {
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
                        List.of("bytes@1", "bytes@30", "bytes@59", "check@60"), List.of("header expired")),
                new Case("While a request is under way nothing of ours times out",
                        List.of("head", "check@500"), List.of("busy idle")),
                new Case("After the response, an idle kept-alive connection lasts the keep-alive timeout",
                        List.of("head", "response@100", "check@160", "check@174", "check@175"),
                        List.of("keepalive wait 15", "keepalive wait 1", "keepalive expired")),
                new Case("The first byte of the next request starts the header timeout",
                        List.of("head", "response@100", "bytes@170", "check@175", "check@229", "check@230"),
                        List.of("header wait 55", "header wait 1", "header expired")),
                new Case("A pipelined request keeps the connection busy until both responses are sent",
                        List.of("head", "head", "response@10", "check@200", "response@300", "check@374"),
                        List.of("busy idle", "keepalive wait 1")),
                new Case("A response without a request it answers (a refusal) still idles the connection",
                        List.of("response@5", "check@6"), List.of("header wait 54")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhatTheConnectionWaitsFor(Case c) {
        ClientWait w = new ClientWait(POLICY, 0);
        List<String> seen = new ArrayList<>();
        for (String step : c.steps()) {
            String[] p = step.split("@");
            long t = p.length > 1 ? Long.parseLong(p[1]) : 0;
            switch (p[0]) {
                case "bytes" -> w.bytesReceived(t);
                case "head" -> w.headReceived();
                case "response" -> w.responseSent(t);
                case "check" -> {
                    String phase = w.phase().label();
                    ClientWait.Check k = w.check(t);
                    seen.add(phase + " " + (k instanceof ClientWait.Check.WaitFor f ? "wait " + f.nanos()
                            : k instanceof ClientWait.Check.Expired ? "expired" : "idle"));
                }
                default -> throw new IllegalArgumentException(step);
            }
        }
        assertEquals(c.expected(), seen);
    }
}
