package dev.signalbox.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LatencyHistogramTest {
    record Case(String name, long[] nanos, long[] cumulative, double sumSeconds) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static long[] n(long... v) {
        return v;
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("An empty histogram counts nothing", n(), n(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0),
                new Case("A duration on a bound counts in that bucket (le)", n(500_000),
                        n(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 0.0005),
                new Case("A nanosecond over a bound counts in the next", n(500_001),
                        n(0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 0.000500001),
                new Case("Zero counts in the first bucket", n(0), n(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 0),
                new Case("Beyond the last bound counts only in +Inf", n(11_000_000_000L),
                        n(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 11),
                new Case("Buckets are cumulative and the sum adds all", n(2_000_000, 30_000_000, 3_000_000_000L),
                        n(0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3), 3.032));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void counts(Case c) {
        LatencyHistogram h = new LatencyHistogram();
        for (long v : c.nanos()) {
            h.record(v);
        }
        long[] counts = h.counts();
        long[] cumulative = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i];
            cumulative[i] = running;
        }
        assertArrayEquals(c.cumulative(), cumulative);
        assertEquals(c.sumSeconds(), h.sumSeconds(), 1e-12);
        assertEquals(c.nanos().length, running);
        assertEquals(counts.length, LatencyHistogram.upperBounds().length);
    }
}
