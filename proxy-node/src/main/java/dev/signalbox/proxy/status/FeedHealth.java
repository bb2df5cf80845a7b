package dev.signalbox.proxy.status;

import java.time.Duration;
import java.time.Instant;

/**
 * What the proxy knows about its snapshot feed: when it last heard from a Kafka broker and when it last
 * applied a snapshot. Kafka counts as unreachable once no broker answered for {@link #silenceLimit}; the
 * snapshot follower's consumer talks to the partition leader at least every fetch wait (Kafka's 500 ms), so
 * silence that long means no broker is answering. Pure (time comes in as arguments) and thread-safe: the
 * follower thread writes, the admin and metrics threads read.
 */
public final class FeedHealth {
    /**
     * Ten fetch waits, room for a slow snapshot apply (the follower does not poll meanwhile) or a GC pause;
     * a dead broker still shows within seconds.
     */
    public static final Duration DEFAULT_SILENCE_LIMIT = Duration.ofSeconds(5);

    private final Duration silenceLimit;
    private final Instant startedAt;
    private Instant lastContact;
    private Instant lastApplied;
    private long appliedVersion;

    public FeedHealth(Instant startedAt, Duration silenceLimit) {
        this.startedAt = startedAt;
        this.silenceLimit = silenceLimit;
    }

    /**
     * The feed as of {@code now}.
     *
     * @param kafkaReachable   whether a broker answered within the silence limit
     * @param lastContact      when a broker last answered, or null if none ever did
     * @param unreachableSince when the silence began (the last contact, or the start when there was none);
     *                         null while reachable
     * @param appliedVersion   the applied snapshot version, 0 before the first
     * @param lastApplied      when the last snapshot was applied, or null before the first
     */
    public record View(boolean kafkaReachable, Instant lastContact, Instant unreachableSince, long appliedVersion,
                       Instant lastApplied) {
    }

    /** A broker answered the follower's consumer. */
    public synchronized void contact(Instant now) {
        lastContact = now;
    }

    /** Snapshot {@code version} was applied. */
    public synchronized void applied(long version, Instant now) {
        appliedVersion = version;
        lastApplied = now;
    }

    public synchronized View view(Instant now) {
        boolean reachable = lastContact != null && Duration.between(lastContact, now).compareTo(silenceLimit) <= 0;
        return new View(reachable, lastContact, reachable ? null : lastContact != null ? lastContact : startedAt,
                appliedVersion, lastApplied);
    }
}
