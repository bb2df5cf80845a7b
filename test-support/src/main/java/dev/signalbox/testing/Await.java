package dev.signalbox.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits on a condition, polling, instead of sleeping a fixed time. */
public final class Await {
    private Await() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Polls {@code value} until {@code accept} holds for it, and returns that value. */
    public static <T> T value(String what, Duration timeout, Supplier<T> value, java.util.function.Predicate<T> accept) {
        Object[] last = new Object[1];
        try {
            until(what, timeout, () -> {
                T v = value.get();
                last[0] = v;
                return accept.test(v);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (last value: " + last[0] + ")", e);
        }
        @SuppressWarnings("unchecked")
        T v = (T) last[0];
        return v;
    }
}
