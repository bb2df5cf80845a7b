package dev.signalbox.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.Timer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusFormatTest {
    record Case(String name, Map<String, Metric> metrics, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Counter counter(long n) {
        Counter c = new Counter();
        c.inc(n);
        return c;
    }

    private static Timer timer(long millis) {
        Timer t = new Timer();
        t.update(millis, TimeUnit.MILLISECONDS);
        return t;
    }

    private static LatencyHistogram histogram(long... nanos) {
        LatencyHistogram h = new LatencyHistogram();
        for (long n : nanos) {
            h.record(n);
        }
        return h;
    }

    static Stream<Case> cases() {
        Map<String, Metric> family = new TreeMap<>();
        family.put(MetricNames.name("reqs_total", "route", "b.com/"), counter(2));
        family.put("other", (Gauge<Long>) () -> 1L);
        family.put(MetricNames.name("reqs_total", "route", "a.com/"), counter(1));
        return Stream.of(
                new Case("A counter without labels", Map.of("x_total", counter(3)), "# TYPE x_total counter\nx_total 3\n"),
                new Case("A numeric gauge", Map.of("v", (Gauge<Long>) () -> 42L), "# TYPE v gauge\nv 42\n"),
                new Case("A gauge that is not a number is left out", Map.of("s", (Gauge<String>) () -> "x"), ""),
                new Case("Series of one family share one TYPE line, sorted", family,
                        "# TYPE other gauge\nother 1\n# TYPE reqs_total counter\nreqs_total{route=\"a.com/\"} 1\n"
                                + "reqs_total{route=\"b.com/\"} 2\n"),
                new Case("Label values are escaped", Map.of(MetricNames.name("e_total", "route", "a\"b\\c\nd"), counter(1)),
                        "# TYPE e_total counter\ne_total{route=\"a\\\"b\\\\c\\nd\"} 1\n"),
                new Case("A timer is a summary in seconds", Map.of(MetricNames.name("lat", "route", "r"), timer(250)),
                        "# TYPE lat summary\nlat{route=\"r\",quantile=\"0.5\"} 0.25\nlat{route=\"r\",quantile=\"0.9\"} 0.25\n"
                                + "lat{route=\"r\",quantile=\"0.99\"} 0.25\nlat_count{route=\"r\"} 1\n"),
                new Case("A latency histogram has cumulative buckets in seconds, a sum and a count",
                        Map.of(MetricNames.name("d_seconds", "route", "r"), histogram(3_000_000, 200_000_000)),
                        "# TYPE d_seconds histogram\n"
                                + "d_seconds_bucket{route=\"r\",le=\"0.0005\"} 0\nd_seconds_bucket{route=\"r\",le=\"0.001\"} 0\n"
                                + "d_seconds_bucket{route=\"r\",le=\"0.0025\"} 0\nd_seconds_bucket{route=\"r\",le=\"0.005\"} 1\n"
                                + "d_seconds_bucket{route=\"r\",le=\"0.01\"} 1\nd_seconds_bucket{route=\"r\",le=\"0.025\"} 1\n"
                                + "d_seconds_bucket{route=\"r\",le=\"0.05\"} 1\nd_seconds_bucket{route=\"r\",le=\"0.1\"} 1\n"
                                + "d_seconds_bucket{route=\"r\",le=\"0.25\"} 2\nd_seconds_bucket{route=\"r\",le=\"0.5\"} 2\n"
                                + "d_seconds_bucket{route=\"r\",le=\"1\"} 2\nd_seconds_bucket{route=\"r\",le=\"2.5\"} 2\n"
                                + "d_seconds_bucket{route=\"r\",le=\"5\"} 2\nd_seconds_bucket{route=\"r\",le=\"10\"} 2\n"
                                + "d_seconds_bucket{route=\"r\",le=\"+Inf\"} 2\nd_seconds_sum{route=\"r\"} 0.203\n"
                                + "d_seconds_count{route=\"r\"} 2\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void formats(Case c) {
        assertEquals(c.expected(), PrometheusFormat.write(c.metrics()));
    }
}
