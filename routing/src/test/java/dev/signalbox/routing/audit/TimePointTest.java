package dev.signalbox.routing.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TimePointTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    record Case(String name, String text, Instant expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("An RFC 3339 time in UTC", "2026-12-04T13:02:00Z", Instant.parse("2026-12-04T13:02:00Z")),
                new Case("An RFC 3339 time with an offset", "2026-12-04T14:02:00+01:00", Instant.parse("2026-12-04T13:02:00Z")),
                new Case("Seconds ago", "90s", Instant.parse("2026-12-05T11:58:30Z")),
                new Case("Minutes ago", "10m", Instant.parse("2026-12-05T11:50:00Z")),
                new Case("Hours ago", "2h", Instant.parse("2026-12-05T10:00:00Z")),
                new Case("Days ago", "3d", Instant.parse("2026-12-02T12:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parses(Case c) {
        assertEquals(c.expected(), TimePoint.parse(c.text(), NOW));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("bad")
    void refuses(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimePoint.parse(text, NOW));
        assertEquals("'" + text + "' is neither an RFC 3339 time (2026-12-04T13:02:00Z) nor an age (90s, 10m, 2h, 3d)",
                e.getMessage());
    }

    static Stream<String> bad() {
        return Stream.of("yesterday", "10", "2026-12-04 13:02", "-5m", "10w");
    }
}
