package dev.signalbox.compiler.election;

/**
 * What a compiler does next, from the lease as it read it, the time, who it is and whether it is active now.
 * Pure and table-tested ({@code ElectionTest}); {@link dev.signalbox.compiler.Compiler} does the Kafka I/O.
 *
 * <ul>
 *   <li>It holds the term, and heard its own claim or renewal within the lease time: {@link Lead} (start
 *       publishing if not yet; renew).</li>
 *   <li>Nobody ever claimed, the holder released, or the holder (possibly itself, cut off from Kafka) was
 *       not heard from for the lease time: an active one {@link StepDown}s first, then it {@link Claim}s the
 *       next term.</li>
 *   <li>Someone else holds a live lease: {@link StepDown} if active, else {@link StandBy}.</li>
 * </ul>
 */
public final class Election {
    private Election() {
    }

    /** The next step. */
    public sealed interface Decision permits Lead, Claim, StepDown, StandBy {
    }

    /** Be the active compiler for {@code term}. */
    public record Lead(long term) implements Decision {
    }

    /** Write a claim of {@code term}; the first claim of a term in the topic wins it. */
    public record Claim(long term) implements Decision {
    }

    /** Stop publishing now; someone else holds the lease or this compiler's lease ran out. */
    public record StepDown() implements Decision {
    }

    /** Follow; someone else is active. */
    public record StandBy() implements Decision {
    }

    public static Decision decide(LeaseView view, String me, long now, long leaseNanos, boolean active) {
        boolean live = view.term() > 0 && !view.released() && now - view.seenAt() < leaseNanos;
        if (live && view.holder().equals(me)) {
            return new Lead(view.term());
        }
        if (active) {
            return new StepDown();
        }
        return live ? new StandBy() : new Claim(view.term() + 1);
    }
}
