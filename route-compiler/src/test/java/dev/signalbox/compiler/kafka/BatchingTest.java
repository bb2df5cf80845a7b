package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchingTest {
    /** Hold-off 10 ms, maximum delay 100 ms; times in milliseconds. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing changed is never due", List.of(), 1000L, false),
                Arguments.of("a single change is due once the hold-off passed", List.of(0L), 10L, true),
                Arguments.of("a single change is not due before the hold-off", List.of(0L), 9L, false),
                Arguments.of("a change inside the hold-off restarts it", List.of(0L, 8L), 12L, false),
                Arguments.of("a steady stream is due at the maximum delay", List.of(0L, 9L, 18L, 27L, 36L, 45L, 54L, 63L, 72L, 81L, 90L, 99L), 100L, true)
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhenToPublish(String name, List<Long> changesAtMs, long nowMs, boolean due) {
        Batching b = new Batching(Duration.ofMillis(10), Duration.ofMillis(100));
        changesAtMs.forEach(t -> b.changed(t * 1_000_000));
        assertEquals(due, b.due(nowMs * 1_000_000));
    }
}
