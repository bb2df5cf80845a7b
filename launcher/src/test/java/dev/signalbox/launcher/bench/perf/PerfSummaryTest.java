package dev.signalbox.launcher.bench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PerfSummaryTest {
    private static final PerfCase CLOSED = PerfCase.all().get(0);
    private static final PerfCase FIXED_RATE = PerfCase.all().get(7);

    private static Measurement run(double rps, double p50, double p99, double cpuSeconds) {
        return new Measurement(new LoadResult((long) (rps * 10), 10, p50, p99, 0), cpuSeconds);
    }

    @Test
    void signalboxIsComparedWithTheAnchorThatServedMoreRequestsOverTheMediansOfItsRuns() {
        List<PerfSummary.Row> rows = PerfSummary.rows(CLOSED, Map.of(
                Target.NGINX, List.of(run(50_000, 1, 2, 5), run(60_000, 1, 3, 5), run(55_000, 1, 2.5, 5)),
                Target.HAPROXY, List.of(run(80_000, 0.5, 1, 4), run(70_000, 0.5, 1.2, 4), run(90_000, 0.5, 0.8, 4)),
                Target.SIGNALBOX_PROXY, List.of(run(40_000, 1, 4, 8), run(40_000, 1, 4, 8), run(40_000, 1, 4, 8))));
        PerfSummary.Row haproxy = rows.get(1);
        assertEquals(Target.HAPROXY, haproxy.target());
        assertEquals(80_000, haproxy.requestsPerSecond(), 1e-6);
        assertEquals(1.0, haproxy.p99Ms(), 1e-9);
        assertEquals(5.0, haproxy.cpuMicrosPerRequest(), 1e-9);   // 4 CPU seconds over 800,000 requests
        assertEquals(null, haproxy.comparedWith());
        PerfSummary.Row signalbox = rows.get(2);
        assertEquals(Target.HAPROXY, signalbox.comparedWith());
        assertEquals(0.5, signalbox.throughputRatio(), 1e-9);
        assertEquals(4.0, signalbox.cpuRatio(), 1e-9);            // 20 us against 5 us per request
        assertEquals(4.0, signalbox.p99Ratio(), 1e-9);
    }

    @Test
    void atAFixedOfferedRateTheBetterAnchorIsTheOneWithTheLowerP99() {
        List<PerfSummary.Row> rows = PerfSummary.rows(FIXED_RATE, Map.of(
                Target.NGINX, List.of(run(16_000, 0.2, 0.9, 3)),
                Target.HAPROXY, List.of(run(16_000, 0.2, 1.8, 2)),
                Target.SIGNALBOX_LOCAL, List.of(run(16_000, 0.3, 1.8, 3))));
        PerfSummary.Row signalbox = rows.get(2);
        assertEquals(Target.NGINX, signalbox.comparedWith());
        assertEquals(2.0, signalbox.p99Ratio(), 1e-9);
    }

    @Test
    void errorsAreAddedUpOverRunsAndAnEvenNumberOfRunsTakesTheMiddleTwo() {
        Measurement failing = new Measurement(new LoadResult(100, 1, 1, 1, 3), 1);
        List<PerfSummary.Row> rows = PerfSummary.rows(CLOSED, Map.of(Target.NGINX, List.of(failing, failing,
                run(10, 1, 1, 1), run(30, 1, 1, 1))));
        assertEquals(6, rows.get(0).errors());
        assertEquals(65, rows.get(0).requestsPerSecond(), 1e-9);   // 10, 30, 100, 100 req/s: (30 + 100) / 2
    }

    @Test
    void theFeatureTableIsComparedWithThePlainTableNotWithAnAnchor() {
        List<PerfSummary.Row> rows = PerfSummary.rows(CLOSED, Map.of(
                Target.NGINX, List.of(run(50_000, 1, 2, 5)),
                Target.SIGNALBOX_LOCAL, List.of(run(40_000, 1, 4, 8)),
                Target.SIGNALBOX_FEATURES, List.of(run(38_000, 1, 5, 8))));
        PerfSummary.Row local = rows.get(1);
        PerfSummary.Row features = rows.get(2);
        assertEquals(List.of(Target.NGINX, Target.SIGNALBOX_LOCAL), List.of(local.comparedWith(), features.comparedWith()));
        assertEquals(0.95, features.throughputRatio(), 1e-9);
        assertEquals(1.25, features.p99Ratio(), 1e-9);
    }

    @Test
    void withoutThePlainTableTheFeatureTableFallsBackToTheBetterAnchor() {
        List<PerfSummary.Row> rows = PerfSummary.rows(CLOSED, Map.of(
                Target.NGINX, List.of(run(50_000, 1, 2, 5)),
                Target.SIGNALBOX_FEATURES, List.of(run(25_000, 1, 4, 5))));
        assertEquals(List.of(Target.NGINX, 0.5), List.of(rows.get(1).comparedWith(), rows.get(1).throughputRatio()));
    }
}
