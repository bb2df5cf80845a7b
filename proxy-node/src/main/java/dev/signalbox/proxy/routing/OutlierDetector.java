package dev.signalbox.proxy.routing;

import dev.signalbox.schemas.snapshot.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passive outlier detection, as Envoy's consecutive local-origin failures: an endpoint that failed to
 * accept {@link Policy#consecutiveFailures()} connections in a row is ejected, skipped by routing, for
 * the base time doubled on every ejection that no successful connection separated from the previous one,
 * up to a maximum. When the time is up it gets traffic again; a successful connection clears its record.
 * An endpoint is never ejected when no other endpoint of its backend is usable, so a backend is never
 * left empty by ejection (a backend whose endpoints are all ejected anyway is routed as if none were).
 * <p>
 * One detector is shared by every event loop, so a failure seen on one loop spares the others the same
 * failed connections. Only failing endpoints have an entry; the routing check is a lock-free map read, and
 * transitions are atomic per endpoint ({@link ConcurrentHashMap#compute}). Pure: time comes in as
 * {@code nowNanos} ({@link System#nanoTime()} in the proxy).
 */
public final class OutlierDetector {
    /**
     * @param consecutiveFailures failed connections in a row that eject an endpoint
     * @param baseEjection        how long the first ejection lasts
     * @param maxEjection         the longest an ejection lasts, however many came before
     */
    public record Policy(int consecutiveFailures, Duration baseEjection, Duration maxEjection) {
        /** 3 failures; 5 s, 10 s, 20 s ... up to 5 minutes (Envoy's max_ejection_time). */
        public static final Policy DEFAULT = new Policy(3, Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    /**
     * One endpoint's record: the state machine. Immutable.
     *
     * @param failures        failed connections since the last success or ejection
     * @param ejections       ejections since the last success (the back-off exponent)
     * @param ejectedUntil    when the current or last ejection ends, in nanoTime; meaningful if ejections > 0
     */
    record Health(int failures, int ejections, long ejectedUntil) {
        static final Health CLEAN = new Health(0, 0, 0);

        boolean ejected(long nowNanos) {
            return ejections > 0 && nowNanos - ejectedUntil < 0;
        }

        /** A failed connection; {@code mayEject} is false when no other endpoint of the backend is usable. */
        Health failed(Policy policy, long nowNanos, boolean mayEject) {
            if (ejected(nowNanos)) {
                // A connection begun before the ejection: it is already counted.
                return this;
            }
            int f = failures + 1;
            if (f < policy.consecutiveFailures() || !mayEject) {
                return new Health(f, ejections, ejectedUntil);
            }
            long base = policy.baseEjection().toNanos();
            long max = policy.maxEjection().toNanos();
            int shift = Math.min(ejections, 30);
            long time = base > (max >> shift) ? max : Math.min(max, base << shift);
            return new Health(0, ejections + 1, nowNanos + time);
        }
    }

    private final Policy policy;
    private final Map<Endpoint, Health> records = new ConcurrentHashMap<>();
    private final AtomicLong ejectionsTotal = new AtomicLong();

    public OutlierDetector(Policy policy) {
        this.policy = policy;
    }

    /** Whether routing should skip {@code endpoint} now. */
    public boolean ejected(Endpoint endpoint, long nowNanos) {
        Health h = records.get(endpoint);
        return h != null && h.ejected(nowNanos);
    }

    /** A connection to {@code endpoint} was established: its record is cleared. */
    public void connected(Endpoint endpoint) {
        if (records.containsKey(endpoint)) {
            records.remove(endpoint);
        }
    }

    /**
     * A connection to {@code endpoint} failed (refused, timed out, unreachable).
     *
     * @param peers the endpoints of the backend it was chosen from, itself included
     * @return whether this failure ejected it
     */
    public boolean connectFailed(Endpoint endpoint, List<Endpoint> peers, long nowNanos) {
        boolean mayEject = false;
        for (Endpoint p : peers) {
            if (!p.equals(endpoint) && !ejected(p, nowNanos)) {
                mayEject = true;
                break;
            }
        }
        boolean allowed = mayEject;
        boolean[] ejectedNow = new boolean[1];
        records.compute(endpoint, (e, h) -> {
            Health before = h == null ? Health.CLEAN : h;
            Health after = before.failed(policy, nowNanos, allowed);
            ejectedNow[0] = after.ejections() > before.ejections();
            return after;
        });
        if (ejectedNow[0]) {
            ejectionsTotal.incrementAndGet();
        }
        forgetStale(nowNanos);
        return ejectedNow[0];
    }

    /** How many endpoints are ejected now. */
    public int ejectedCount(long nowNanos) {
        int n = 0;
        for (Health h : records.values()) {
            if (h.ejected(nowNanos)) {
                n++;
            }
        }
        return n;
    }

    /** Ejections since start. */
    public long ejectionsTotal() {
        return ejectionsTotal.get();
    }

    /**
     * Drops records of endpoints whose last ejection ended longer ago than the maximum ejection, with no
     * failure since: endpoints that went away with a snapshot would otherwise stay here forever.
     */
    private void forgetStale(long nowNanos) {
        long max = policy.maxEjection().toNanos();
        records.entrySet().removeIf(e -> e.getValue().failures() == 0 && e.getValue().ejections() > 0
                && nowNanos - e.getValue().ejectedUntil() > max);
    }
}
