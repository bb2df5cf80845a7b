package dev.signalbox.proxy.routing;

import dev.signalbox.schemas.net.CidrSet;
import dev.signalbox.schemas.snapshot.ProxyLimits.RateLimit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's request rate and concurrency limits per Ingress and client address (ingress-nginx's {@code limit-rps},
 * {@code limit-rpm}, {@code limit-connections}: nginx's {@code limit_req zone burst=rate*multiplier nodelay} and
 * {@code limit_conn}, one zone per Ingress keyed by {@code $binary_remote_addr}). One per node, shared by every event
 * loop (a client's connections may land on any loop; per-loop state would allow the rate once per loop).
 *
 * <p>Rates are a GCRA ({@link #next}): one {@link AtomicLong} per zone and client, its theoretical arrival time,
 * moved by compare-and-set; no lock. Requests under way are an {@link AtomicInteger} per zone and client, changed
 * with the map's per-key {@code compute} and removed at zero. Memory is bounded: the rate map holds at most
 * {@link #MAX_CLIENTS} entries; when a new client would pass that, entries whose time has come (a client idle for
 * its whole burst, which loses nothing by being forgotten) are swept, at most every {@link #SWEEP_NANOS}; if the map is
 * still full the new client is limited, as nginx answers when its zone has no room. The concurrency map holds one
 * entry per client with requests under way, so it is bounded by the open connections. A client in the limit's
 * whitelist ({@code limit-whitelist}) is never counted. Any thread.
 */
public final class RateLimits {
    /** Clients remembered per node across all zones: about 100 bytes each, so some 10 MB at the most. */
    public static final int MAX_CLIENTS = 100_000;
    static final long SWEEP_NANOS = 100_000_000L;

    private enum Kind { RPS, RPM, CONNECTIONS }

    private record Key(String ingress, Kind kind, String client) {
    }

    private final int maxClients;
    private final Map<Key, AtomicLong> arrivals = new ConcurrentHashMap<>();
    private final Map<Key, AtomicInteger> underWay = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);
    /** Whitelists compiled once each; emptied when it holds a few hundred (the lists of snapshots gone by). */
    private final Map<List<String>, CidrSet> whitelists = new ConcurrentHashMap<>();

    public RateLimits() {
        this(MAX_CLIENTS);
    }

    RateLimits(int maxClients) {
        this.maxClients = maxClients;
    }

    /** What {@link #admit} decided. */
    public enum Verdict {
        ADMITTED,
        /** Admitted and holding a concurrency slot: {@link #release} it when the request ends. */
        ADMITTED_HOLDING,
        /** Over {@code limit-rps} or {@code limit-rpm}. */
        RATE,
        /** Over {@code limit-connections}. */
        CONNECTIONS,
        /** The node remembers {@link #MAX_CLIENTS} clients already and none could be forgotten. */
        FULL
    }

    /**
     * Whether a request of {@code client} (its address as the proxy trusts it) to a route of the Ingress
     * {@code limit.zone()} may go on under {@code limit}, counting it if so; at {@code nowNanos}
     * ({@link System#nanoTime()}).
     */
    public Verdict admit(RateLimit limit, String client, long nowNanos) {
        String ingress = limit.zone();
        if (!limit.whitelist().isEmpty() && whitelist(limit.whitelist()).contains(client)) {
            return Verdict.ADMITTED;
        }
        if (limit.rps() > 0) {
            Verdict v = take(new Key(ingress, Kind.RPS, client), 1_000_000_000L / limit.rps(),
                    (long) limit.rps() * limit.burstMultiplier(), nowNanos);
            if (v != Verdict.ADMITTED) {
                return v;
            }
        }
        if (limit.rpm() > 0) {
            Verdict v = take(new Key(ingress, Kind.RPM, client), 60_000_000_000L / limit.rpm(),
                    (long) limit.rpm() * limit.burstMultiplier(), nowNanos);
            if (v != Verdict.ADMITTED) {
                return v;
            }
        }
        if (limit.connections() > 0) {
            int max = limit.connections();
            boolean[] admitted = {false};
            underWay.compute(new Key(ingress, Kind.CONNECTIONS, client), (k, n) -> {
                int now = n == null ? 0 : n.get();
                if (now >= max) {
                    return n;
                }
                admitted[0] = true;
                AtomicInteger c = n == null ? new AtomicInteger() : n;
                c.incrementAndGet();
                return c;
            });
            return admitted[0] ? Verdict.ADMITTED_HOLDING : Verdict.CONNECTIONS;
        }
        return Verdict.ADMITTED;
    }

    /** A request admitted with {@link Verdict#ADMITTED_HOLDING} ended. */
    public void release(RateLimit limit, String client) {
        underWay.computeIfPresent(new Key(limit.zone(), Kind.CONNECTIONS, client),
                (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** Clients remembered for rates now (for tests and /metrics). */
    public int clients() {
        return arrivals.size();
    }

    private Verdict take(Key key, long interval, long burst, long now) {
        AtomicLong tat = arrivals.get(key);
        if (tat == null) {
            if (arrivals.size() >= maxClients) {
                sweep(now);
                if (arrivals.size() >= maxClients) {
                    return Verdict.FULL;
                }
            }
            tat = arrivals.computeIfAbsent(key, k -> new AtomicLong(now));
        }
        // An absurd rate and multiplier (whole numbers up to 10^9 each) must not wrap around: then no limit.
        long tolerance = burst > Long.MAX_VALUE / 4 / interval ? Long.MAX_VALUE / 4 : burst * interval;
        for (;;) {
            long current = tat.get();
            Long next = next(current, now, interval, tolerance);
            if (next == null) {
                return Verdict.RATE;
            }
            if (tat.compareAndSet(current, next)) {
                return Verdict.ADMITTED;
            }
        }
    }

    /**
     * GCRA, the arithmetic of nginx's {@code limit_req} with {@code burst} and {@code nodelay}: a client whose
     * theoretical arrival time is {@code tat} asks at {@code now}; it is admitted when that time is at most
     * {@code tolerance} (the burst's worth of intervals) ahead of now, and then the time moves one {@code interval}
     * on from the later of the two. So {@code burst + 1} requests pass at once, then one per interval. Times are
     * {@link System#nanoTime()} values, compared by difference. Pure.
     *
     * @return the new theoretical arrival time, or null when the request is over the rate
     */
    static Long next(long tat, long now, long interval, long tolerance) {
        long from = tat - now > 0 ? tat : now;
        return from - now > tolerance ? null : from + interval;
    }

    /** {@code blocks} as a set to search; the compiler normalised them, so they parse. */
    private CidrSet whitelist(List<String> blocks) {
        CidrSet set = whitelists.get(blocks);
        if (set == null) {
            if (whitelists.size() > 256) {
                whitelists.clear();
            }
            set = whitelists.computeIfAbsent(blocks, b -> {
                try {
                    return CidrSet.of(b);
                } catch (IllegalArgumentException e) {
                    // Not from this compiler: exempt nobody rather than fail the request.
                    return CidrSet.EMPTY;
                }
            });
        }
        return set;
    }

    /**
     * Forgets the clients whose theoretical arrival time has come (they would start afresh anyway), once per
     * {@link #SWEEP_NANOS} at the most, on whichever thread finds the map full first.
     */
    private void sweep(long now) {
        long due = nextSweep.get();
        if (due != Long.MIN_VALUE && due - now > 0 || !nextSweep.compareAndSet(due, now + SWEEP_NANOS)) {
            return;
        }
        arrivals.entrySet().removeIf(e -> e.getValue().get() - now <= 0);
    }
}
