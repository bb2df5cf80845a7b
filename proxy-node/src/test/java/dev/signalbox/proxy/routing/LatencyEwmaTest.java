package dev.signalbox.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.snapshot.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyEwmaTest {
    private static final Endpoint A = new Endpoint("10.0.0.1", 80);
    private static final Endpoint B = new Endpoint("10.0.0.2", 80);
    private static final long S = 1_000_000_000L;

    private static double rounded(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    @Test
    void theFirstSampleIsTheAverageLaterOnesWeighInByTheirAgeAndReadsDecayTowardsZero() {
        LatencyEwma ewma = new LatencyEwma();
        ewma.record(A, S / 10, 100 * S);
        double first = ewma.score(A, 100 * S);
        ewma.record(A, S / 2, 110 * S);
        // 0.1 * e^-1 + 0.5 * (1 - e^-1)
        double second = ewma.score(A, 110 * S);
        double tenSecondsLater = ewma.score(A, 120 * S);
        assertEquals(List.of(0.1, 0.3528, 0.1298, 0.0), List.of(rounded(first), rounded(second),
                rounded(tenSecondsLater), ewma.score(B, 120 * S)));
    }
}
