package dev.signalbox.proxy.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram of durations with fixed buckets: one striped counter per bucket and one for the sum,
 * so recording a request allocates nothing, takes no lock and shares no contended cache line between event
 * loops (a Dropwizard timer's decaying reservoir does all three: a skip-list insert per update). Buckets are
 * counted apart and made cumulative by the Prometheus client's writer ({@link ProxyMetrics}). Thread-safe.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds: Prometheus client defaults, refined below 5 ms where a proxy's own time lies. */
    static final double[] BOUNDS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }

    /** One per bound, then one for +Inf. */
    private final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        buckets[bucket(nanos)].increment();
        sumNanos.add(nanos);
    }

    /** The index of the first bucket whose bound is at least {@code nanos} ({@code le}, as Prometheus counts). */
    static int bucket(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        return i;
    }

    /**
     * The bucket bounds in seconds with +Inf last, and the observations in each bucket (not cumulative), for the
     * Prometheus client's {@code ClassicHistogramBuckets}. Read one bucket after another while requests go on, so
     * the count may trail the sum by a request or two, as with any Prometheus client.
     */
    static double[] upperBounds() {
        double[] b = java.util.Arrays.copyOf(BOUNDS_SECONDS, BOUNDS_SECONDS.length + 1);
        b[BOUNDS_SECONDS.length] = Double.POSITIVE_INFINITY;
        return b;
    }

    long[] counts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }
}
