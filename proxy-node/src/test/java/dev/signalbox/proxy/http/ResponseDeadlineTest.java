package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.proxy.http.ResponseDeadline.Check;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ResponseDeadlineTest {
    private static final long TIMEOUT = 1_000;

    /** Steps on one deadline (a timeout of 1000 ns), then the checks at the given times, in order. */
    record Case(String name, Consumer<ResponseDeadline> steps, List<Long> checkAt, List<Check> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("Never armed: nothing to wait for", d -> { }, List.of(5_000L), List.of(Check.IDLE)),
                new Case("Armed and checked before the deadline: wait for what is left", d -> d.arm(100),
                        List.of(400L), List.of(new Check.WaitFor(700))),
                new Case("Armed and checked at the deadline: expired", d -> d.arm(100), List.of(1_100L),
                        List.of(Check.EXPIRED)),
                new Case("An expiry is reported once", d -> d.arm(100), List.of(2_000L, 3_000L),
                        List.of(Check.EXPIRED, Check.IDLE)),
                new Case("Disarmed (the response started): nothing to wait for", d -> {
                    d.arm(100);
                    d.disarm();
                }, List.of(2_000L), List.of(Check.IDLE)),
                new Case("Re-armed by a later request: the later deadline counts", d -> {
                    d.arm(100);
                    d.disarm();
                    d.arm(900);
                }, List.of(1_100L, 1_900L), List.of(new Check.WaitFor(800), Check.EXPIRED)),
                new Case("A route's own read timeout, shorter than the node's, sets the deadline", d -> d.arm(100, 250),
                        List.of(300L, 350L), List.of(new Check.WaitFor(50), Check.EXPIRED)),
                new Case("A longer one too: the node's timeout does not cut it", d -> d.arm(100, 5_000),
                        List.of(1_100L, 5_100L), List.of(new Check.WaitFor(4_000), Check.EXPIRED)),
                new Case("nanoTime values that wrap around still compare", d -> d.arm(Long.MAX_VALUE - 100),
                        List.of(Long.MAX_VALUE, Long.MIN_VALUE + 899), List.of(new Check.WaitFor(900), Check.EXPIRED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checks(Case c) {
        ResponseDeadline d = new ResponseDeadline(TIMEOUT);
        c.steps().accept(d);
        assertEquals(c.expected(), c.checkAt().stream().map(d::check).toList());
    }
}
