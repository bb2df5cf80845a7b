package dev.signalbox.proxy.routing;

import dev.signalbox.schemas.snapshot.Endpoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each endpoint's response time as an exponentially weighted moving average for {@code load-balance: ewma} (issue
 * 18), as ingress-nginx's ewma.lua (after Finagle's PeakEwma): a new time weighs in by {@code 1 - exp(-dt/10 s)},
 * and a score read decays towards 0 with the time since the last one, so an endpoint left alone because it was slow
 * is tried again. An endpoint never measured scores 0.
 *
 * <p>One tracker is shared by every event loop, like {@link OutlierDetector}: a score read is a lock-free map read, an
 * update is atomic per endpoint ({@link ConcurrentHashMap#compute}); only responses of routes that balance by EWMA
 * are measured. Pure: time comes in as {@code nowNanos} ({@link System#nanoTime()} in the proxy).
 */
public final class LatencyEwma {
    /** ingress-nginx's DECAY_TIME. */
    static final double DECAY_NANOS = 10e9;
    /** Endpoints not measured for this long are forgotten (the score has decayed to almost nothing). */
    private static final long FORGET_NANOS = 120_000_000_000L;
    private static final int PRUNE_ABOVE = 4096;

    private record Average(double seconds, long touchedNanos) {
        double decayed(double sampleSeconds, long nowNanos) {
            long dt = Math.max(0, nowNanos - touchedNanos);
            double w = Math.exp(-dt / DECAY_NANOS);
            return seconds * w + sampleSeconds * (1.0 - w);
        }
    }

    private final Map<Endpoint, Average> averages = new ConcurrentHashMap<>();

    /** A response of {@code endpoint} took {@code nanos}. */
    public void record(Endpoint endpoint, long nanos, long nowNanos) {
        double sample = nanos / 1e9;
        // ingress-nginx starts an endpoint at 0, touched at the epoch: its first sample is its average.
        averages.compute(endpoint, (e, a) -> new Average(a == null ? sample : a.decayed(sample, nowNanos), nowNanos));
        if (averages.size() > PRUNE_ABOVE) {
            averages.values().removeIf(a -> nowNanos - a.touchedNanos() > FORGET_NANOS);
        }
    }

    /** The endpoint's average in seconds, decayed to now; 0 when never measured. */
    public double score(Endpoint endpoint, long nowNanos) {
        Average a = averages.get(endpoint);
        return a == null ? 0 : a.decayed(0, nowNanos);
    }
}
