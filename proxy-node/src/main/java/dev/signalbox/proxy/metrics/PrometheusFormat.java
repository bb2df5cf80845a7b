package dev.signalbox.proxy.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Metric;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes metrics in the Prometheus text exposition format 0.0.4. Counters become counters, numeric gauges
 * gauges, {@link LatencyHistogram}s histograms in seconds (cumulative _bucket series with {@code le}, _sum and
 * _count), Dropwizard timers summaries in seconds (quantiles and _count; they keep no sum). Series of one
 * family are written together under one TYPE line, families sorted by name.
 */
public final class PrometheusFormat {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final double[] QUANTILES = {0.5, 0.9, 0.99};
    private static final double NANOS_PER_SECOND = 1e9;

    private PrometheusFormat() {
    }

    public static String write(Map<String, Metric> metrics) {
        Map<String, List<Map.Entry<String, Metric>>> families = new TreeMap<>();
        new TreeMap<>(metrics).entrySet().forEach(e ->
                families.computeIfAbsent(MetricNames.base(e.getKey()), k -> new ArrayList<>()).add(e));
        StringBuilder out = new StringBuilder();
        families.forEach((base, series) -> {
            String type = type(series.get(0).getValue());
            if (type == null) {
                return;
            }
            out.append("# TYPE ").append(base).append(' ').append(type).append('\n');
            for (Map.Entry<String, Metric> e : series) {
                writeSeries(out, base, MetricNames.labels(e.getKey()), e.getValue());
            }
        });
        return out.toString();
    }

    private static String type(Metric m) {
        if (m instanceof Counter) {
            return "counter";
        }
        if (m instanceof Gauge<?> g) {
            return g.getValue() instanceof Number ? "gauge" : null;
        }
        if (m instanceof LatencyHistogram) {
            return "histogram";
        }
        if (m instanceof Timer || m instanceof Histogram) {
            return "summary";
        }
        return null;
    }

    private static void writeSeries(StringBuilder out, String base, String labels, Metric m) {
        if (m instanceof Counter c) {
            line(out, base, labels, Long.toString(c.getCount()));
        } else if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
            line(out, base, labels, number(n.doubleValue()));
        } else if (m instanceof LatencyHistogram h) {
            histogram(out, base, labels, h.snapshot());
        } else if (m instanceof Timer t) {
            summary(out, base, labels, t.getSnapshot(), t.getCount(), NANOS_PER_SECOND);
        } else if (m instanceof Histogram h) {
            summary(out, base, labels, h.getSnapshot(), h.getCount(), 1);
        }
    }

    private static void histogram(StringBuilder out, String base, String labels, LatencyHistogram.Snapshot s) {
        String prefix = labels.isEmpty() ? "" : labels + ",";
        long[] cumulative = s.cumulative();
        for (int i = 0; i < cumulative.length; i++) {
            String le = i < LatencyHistogram.BOUNDS_SECONDS.length
                    ? BigDecimal.valueOf(LatencyHistogram.BOUNDS_SECONDS[i]).stripTrailingZeros().toPlainString() : "+Inf";
            line(out, base + "_bucket", prefix + "le=\"" + le + "\"", Long.toString(cumulative[i]));
        }
        line(out, base + "_sum", labels, number(s.sumSeconds()));
        line(out, base + "_count", labels, Long.toString(s.count()));
    }

    private static void summary(StringBuilder out, String base, String labels, Snapshot s, long count,
                                double divisor) {
        for (double q : QUANTILES) {
            String ql = (labels.isEmpty() ? "" : labels + ",") + "quantile=\"" + q + "\"";
            line(out, base, ql, number(s.getValue(q) / divisor));
        }
        line(out, base + "_count", labels, Long.toString(count));
    }

    private static void line(StringBuilder out, String name, String labels, String value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    static String number(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
