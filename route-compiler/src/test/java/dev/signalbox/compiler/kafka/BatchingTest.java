package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchingTest {
    private static final Long NEVER = null;

    /** Hold-off 10 ms, maximum delay 100 ms; times in milliseconds; the last publish before the changes. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing changed is never due", NEVER, List.of(), 1000L, false),
                Arguments.of("the first change ever is due at once", NEVER, List.of(0L), 0L, true),
                Arguments.of("a change a hold-off after the last publish is due at once", 0L, List.of(10L), 10L, true),
                Arguments.of("a lone change long after the last publish is due at once", 0L, List.of(5000L), 5000L, true),
                Arguments.of("a change soon after a publish is not due before the hold-off", 0L, List.of(5L), 14L, false),
                Arguments.of("a change soon after a publish is due once the hold-off passed", 0L, List.of(5L), 15L, true),
                Arguments.of("a change inside the hold-off restarts it", 0L, List.of(5L, 13L), 17L, false),
                Arguments.of("a steady stream is due at the maximum delay", 0L,
                        List.of(1L, 10L, 19L, 28L, 37L, 46L, 55L, 64L, 73L, 82L, 91L, 100L), 101L, true),
                Arguments.of("a steady stream is not due before the maximum delay", 0L,
                        List.of(1L, 10L, 19L, 28L, 37L, 46L, 55L, 64L, 73L, 82L, 91L, 100L), 100L, false)
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhenToPublish(String name, Long publishedAtMs, List<Long> changesAtMs, long nowMs, boolean due) {
        Batching b = new Batching(Duration.ofMillis(10), Duration.ofMillis(100));
        if (publishedAtMs != null) {
            b.changed(publishedAtMs * 1_000_000);
            b.published(publishedAtMs * 1_000_000);
        }
        changesAtMs.forEach(t -> b.changed(t * 1_000_000));
        assertEquals(due, b.due(nowMs * 1_000_000));
    }

    @org.junit.jupiter.api.Test
    void aBurstAfterAnImmediatePublishIsBatched() {
        Batching b = new Batching(Duration.ofMillis(10), Duration.ofMillis(100));
        b.changed(0);
        assertEquals(Duration.ZERO, b.waitBudget(0, Duration.ofMillis(500)));
        b.published(2_000_000);
        b.changed(3_000_000);
        b.changed(6_000_000);
        assertEquals(false, b.due(15_000_000));
        assertEquals(Duration.ofMillis(1), b.waitBudget(15_000_000, Duration.ofMillis(500)));
        assertEquals(true, b.due(16_000_000));
    }
}
