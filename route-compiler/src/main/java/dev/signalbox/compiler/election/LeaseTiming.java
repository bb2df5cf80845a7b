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
    /** 2 s lease, renewed every 500 ms: a crashed compiler is replaced within the 3 s. */
    public static final LeaseTiming DEFAULT = of(Duration.ofSeconds(2));

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
