package dev.signalbox.launcher.bench.perf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns the runs of each case into one row per target: medians over the runs, and each Signalbox target's
 * ratio to the better anchor of that case, or to its {@link Target#baseline() baseline} when it has one and that ran.
 * The better anchor is the one with more requests per second, or, for a case at a fixed offered rate (where both
 * carry the same rate), the one with the lower p99. Pure.
 */
public final class PerfSummary {
    /**
     * One line of the table. {@code comparedWith} is the better anchor or the target's baseline (null for an
     * anchor); {@code throughputRatio} is requests/s over its (higher is better), {@code cpuRatio} and
     * {@code p99Ratio} are over its (lower is better); NaN for an anchor.
     */
    public record Row(String caseName, Target target, double requestsPerSecond, double p50Ms, double p99Ms, long errors,
                      double cpuMicrosPerRequest, Target comparedWith, double throughputRatio, double cpuRatio,
                      double p99Ratio) {
    }

    private PerfSummary() {
    }

    /** The rows of every case, in the cases' order and the targets' order. */
    public static List<Row> rows(Map<PerfCase, Map<Target, List<Measurement>>> runs) {
        List<Row> rows = new ArrayList<>();
        runs.forEach((c, byTarget) -> rows.addAll(rows(c, byTarget)));
        return rows;
    }

    static List<Row> rows(PerfCase c, Map<Target, List<Measurement>> byTarget) {
        Map<Target, double[]> medians = new EnumMap<>(Target.class);
        byTarget.forEach((t, ms) -> {
            if (!ms.isEmpty()) {
                medians.put(t, new double[] {
                    median(ms, m -> m.load().requestsPerSecond()), median(ms, m -> m.load().p50Ms()),
                    median(ms, m -> m.load().p99Ms()), median(ms, Measurement::cpuMicrosPerRequest)});
            }
        });
        Comparator<Target> better = c.fixedRate()
                ? Comparator.comparingDouble((Target t) -> medians.get(t)[2])
                : Comparator.comparingDouble((Target t) -> -medians.get(t)[0]);
        Target anchor = medians.keySet().stream().filter(Target::anchor).min(better).orElse(null);
        Map<Target, Row> out = new LinkedHashMap<>();
        for (Target t : Target.values()) {
            double[] m = medians.get(t);
            if (m == null) {
                continue;
            }
            long errors = byTarget.get(t).stream().mapToLong(x -> x.load().errors()).sum();
            Target against = t.baseline() != null && medians.containsKey(t.baseline()) ? t.baseline() : anchor;
            boolean compared = !t.anchor() && against != null;
            double[] a = compared ? medians.get(against) : null;
            out.put(t, new Row(c.name(), t, m[0], m[1], m[2], errors, m[3], compared ? against : null,
                    compared ? m[0] / a[0] : Double.NaN, compared ? m[3] / a[3] : Double.NaN,
                    compared ? m[2] / a[2] : Double.NaN));
        }
        return List.copyOf(out.values());
    }

    static double median(List<Measurement> ms, ToDoubleFunction<Measurement> f) {
        double[] v = ms.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
