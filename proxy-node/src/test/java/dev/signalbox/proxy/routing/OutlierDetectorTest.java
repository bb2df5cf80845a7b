package dev.signalbox.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.snapshot.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ejection state machine as a table: a case is a script of steps at given seconds ("fail a", "ok a")
 * and, after each step, which endpoints are ejected; the whole trace is compared at once.
 */
class OutlierDetectorTest {
    private static final Endpoint A = new Endpoint("10.0.0.1", 80);
    private static final Endpoint B = new Endpoint("10.0.0.2", 80);
    private static final Endpoint C = new Endpoint("10.0.0.3", 80);
    private static final List<Endpoint> PEERS = List.of(A, B, C);
    private static final OutlierDetector.Policy POLICY = new OutlierDetector.Policy(3, Duration.ofSeconds(10),
            Duration.ofSeconds(30));

    /** {@code script}: "T fail X", "T ok X" or "T check" (only look), T in seconds; X one of a, b, c. */
    record Case(String name, List<Endpoint> peers, List<String> script, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("three failures in a row eject an endpoint for the base time", PEERS,
                        List.of("0 fail a", "1 fail a", "2 fail a", "11 check", "12 check"),
                        List.of("-", "-", "a!", "a", "-")),
                new Case("a success in between starts the count again", PEERS,
                        List.of("0 fail a", "1 fail a", "2 ok a", "3 fail a", "4 fail a", "5 fail a"),
                        List.of("-", "-", "-", "-", "-", "a!")),
                new Case("ejections without a success between them double, up to the maximum", PEERS,
                        List.of("0 fail a", "0 fail a", "0 fail a", "10 fail a", "10 fail a", "10 fail a",
                                "29 check", "30 check", "30 fail a", "30 fail a", "30 fail a", "59 check", "60 check",
                                "60 fail a", "60 fail a", "60 fail a", "89 check", "90 check"),
                        List.of("-", "-", "a!", "-", "-", "a!", "a", "-", "-", "-", "a!", "a", "-", "-", "-", "a!",
                                "a", "-")),
                new Case("a success after an ejection resets the back-off to the base time", PEERS,
                        List.of("0 fail a", "0 fail a", "0 fail a", "10 ok a", "10 fail a", "10 fail a",
                                "10 fail a", "19 check", "20 check"),
                        List.of("-", "-", "a!", "-", "-", "-", "a!", "a", "-")),
                new Case("failures of connections begun before the ejection do not extend it", PEERS,
                        List.of("0 fail a", "0 fail a", "0 fail a", "5 fail a", "5 fail a", "5 fail a", "10 check"),
                        List.of("-", "-", "a!", "a", "a", "a", "-")),
                new Case("the last usable endpoint of a backend is never ejected", PEERS,
                        List.of("0 fail a", "0 fail a", "0 fail a", "0 fail b", "0 fail b", "0 fail b",
                                "0 fail c", "0 fail c", "0 fail c", "0 fail c"),
                        List.of("-", "-", "a!", "a", "a", "a b!", "a b", "a b", "a b", "a b")),
                new Case("a backend of one endpoint never loses it", List.of(A),
                        List.of("0 fail a", "0 fail a", "0 fail a", "0 fail a", "0 fail a"),
                        List.of("-", "-", "-", "-", "-")),
                new Case("endpoints are counted apart", PEERS,
                        List.of("0 fail a", "0 fail b", "0 fail a", "0 fail b", "0 fail a", "0 fail b"),
                        List.of("-", "-", "-", "-", "a!", "a b!")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ejection(Case c) {
        OutlierDetector d = new OutlierDetector(POLICY);
        List<String> trace = new ArrayList<>();
        for (String step : c.script()) {
            String[] w = step.split(" ");
            long now = Duration.ofSeconds(Long.parseLong(w[0])).toNanos();
            boolean ejectedHere = false;
            if (w[1].equals("fail")) {
                ejectedHere = d.connectFailed(endpoint(w[2]), c.peers(), now);
            } else if (w[1].equals("ok")) {
                d.connected(endpoint(w[2]));
            }
            StringBuilder s = new StringBuilder();
            for (Endpoint e : PEERS) {
                if (d.ejected(e, now)) {
                    s.append(s.length() > 0 ? " " : "").append(name(e));
                    if (ejectedHere && e.equals(endpoint(w[2]))) {
                        s.append('!');
                    }
                }
            }
            trace.add(s.length() == 0 ? "-" : s.toString());
        }
        assertEquals(c.expected(), trace);
        assertEquals(c.expected().stream().filter(t -> t.contains("!")).count(), d.ejectionsTotal());
    }

    private static Endpoint endpoint(String n) {
        return switch (n) {
            case "a" -> A;
            case "b" -> B;
            default -> C;
        };
    }

    private static String name(Endpoint e) {
        return e.equals(A) ? "a" : e.equals(B) ? "b" : "c";
    }
}
