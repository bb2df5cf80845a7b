package dev.signalbox.compiler.election;

import java.time.Duration;

/**
 * The lease's timing.
 *
 * @param leaseTime how long a standby waits without hearing from the active compiler before it claims the
 *                  lease (and fences the active one): the takeover time after a crash is about this
 * @param renewal   how often the active compiler renews; several renewals fit in one lease time, so one slow
 *                  write does not cost the lease
 */
public record LeaseTiming(Duration leaseTime, Duration renewal) {
    /**
     * 1.5 s lease, renewed every 375 ms. A crashed compiler is detected 1.1-1.5 s after its last renewal was heard;
     * the warm takeover (claim, fence, snapshots tail, catch-up, first publish) takes 0.5-1 s on a busy 2-core
     * machine, so the next version follows within the 3 s of a SIGKILL. Four renewals per lease: one late
     * or lost renewal (a GC pause, a slow broker, up to about 1.1 s) does not cost the lease.
     */
    public static final LeaseTiming DEFAULT = of(Duration.ofMillis(1500));

    public LeaseTiming {
        if (leaseTime.isNegative() || leaseTime.isZero() || renewal.isNegative() || renewal.isZero()
                || renewal.compareTo(leaseTime) >= 0) {
            throw new IllegalArgumentException("the renewal (" + renewal.toMillis() + " ms) must be positive and shorter than the lease ("
                    + leaseTime.toMillis() + " ms)");
        }
    }

    /** A lease of {@code leaseTime}, renewed four times per lease. */
    public static LeaseTiming of(Duration leaseTime) {
        return new LeaseTiming(leaseTime, leaseTime.dividedBy(4));
    }
}
