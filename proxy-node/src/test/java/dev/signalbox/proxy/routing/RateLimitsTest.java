package dev.signalbox.proxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.proxy.routing.RateLimits.Verdict;
import dev.signalbox.schemas.snapshot.ProxyLimits.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** nginx's limit_req (burst, nodelay) and limit_conn per Ingress and client, with a bounded memory of clients. */
class RateLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    record Step(String name, long tat, long now, long interval, long tolerance, Long expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Step> steps() {
        return Stream.of(
                new Step("A client seen for the first time passes and owes one interval", 1000, 1000, 100, 300, 1100L),
                new Step("Within the burst: passes, the debt grows by one interval", 1300, 1000, 100, 300, 1400L),
                new Step("Past the burst: refused, nothing changes", 1301, 1000, 100, 300, null),
                new Step("A client idle longer than its debt starts afresh", 500, 1000, 100, 0, 1100L),
                new Step("nanoTime values that wrap around still compare", Long.MAX_VALUE, Long.MAX_VALUE - 50, 100, 100,
                        Long.MIN_VALUE + 99));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void theGcraStepIsNginxsLimitReq(Step s) {
        assertEquals(s.expected(), RateLimits.next(s.tat(), s.now(), s.interval(), s.tolerance()));
    }

    /** The verdicts of {@code n} requests of {@code client} at {@code now}. */
    private static List<Verdict> requests(RateLimits limits, RateLimit limit, String client, int n, long now) {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(limits.admit(limit, client, now));
        }
        return out;
    }

    @Test
    void tenPerSecondWithTheDefaultMultiplierLetsFiftyOneThroughAtOnceThenOneATenthOfASecond() {
        RateLimits limits = new RateLimits();
        RateLimit tenPerSecond = new RateLimit("c/ns/a", 10, 0, 0, 5);
        List<Verdict> burst = requests(limits, tenPerSecond, "192.0.2.1", 52, 0);
        assertEquals(List.of(51L, 1L), List.of(burst.stream().filter(v -> v == Verdict.ADMITTED).count(),
                burst.stream().filter(v -> v == Verdict.RATE).count()));
        assertEquals(List.of(Verdict.ADMITTED, Verdict.RATE), requests(limits, tenPerSecond, "192.0.2.1", 2, SECOND / 10));
        assertEquals(Verdict.ADMITTED, limits.admit(tenPerSecond, "192.0.2.2", 0), "another client has its own count");
        assertEquals(Verdict.ADMITTED, limits.admit(new RateLimit("c/ns/b", 10, 0, 0, 5), "192.0.2.1", 0),
                "another Ingress has its own zone");
    }

    @Test
    void aWhitelistedClientIsNeverCounted() {
        RateLimits limits = new RateLimits();
        RateLimit one = new RateLimit("c/ns/a", 0, 1, 1, 1, List.of("10.0.0.0/8", "2001:db8::/32"));
        assertEquals(List.of(Verdict.ADMITTED, Verdict.ADMITTED, Verdict.ADMITTED),
                List.of(limits.admit(one, "10.9.8.7", 0), limits.admit(one, "10.9.8.7", 0), limits.admit(one, "2001:db8::1", 0)));
        assertEquals(List.of(Verdict.ADMITTED_HOLDING, Verdict.CONNECTIONS),
                requests(limits, one, "192.0.2.1", 2, 0), "others are limited");
    }

    @Test
    void perMinuteAndPerSecondBothApply() {
        RateLimits limits = new RateLimits();
        RateLimit both = new RateLimit("c/ns/a", 100, 2, 0, 1);
        assertEquals(List.of(Verdict.ADMITTED, Verdict.ADMITTED, Verdict.ADMITTED, Verdict.RATE),
                requests(limits, both, "192.0.2.1", 4, 0));
    }

    @Test
    void requestsUnderWayAreCountedUntilReleased() {
        RateLimits limits = new RateLimits();
        RateLimit two = new RateLimit("c/ns/a", 0, 0, 2, 5);
        assertEquals(List.of(Verdict.ADMITTED_HOLDING, Verdict.ADMITTED_HOLDING, Verdict.CONNECTIONS),
                requests(limits, two, "192.0.2.1", 3, 0));
        limits.release(two, "192.0.2.1");
        assertEquals(Verdict.ADMITTED_HOLDING, limits.admit(two, "192.0.2.1", 0));
    }

    @Test
    void aFloodOfNewClientsCannotGrowTheMemoryPastItsBound() {
        RateLimits limits = new RateLimits(1000);
        RateLimit one = new RateLimit("c/ns/a", 1, 0, 0, 1);
        for (int i = 0; i < 1000; i++) {
            limits.admit(one, "10.0." + (i / 256) + "." + (i % 256), 0);
        }
        assertEquals(Verdict.FULL, limits.admit(one, "203.0.113.1", 0), "full, and nobody's debt is paid yet");
        assertEquals(1000, limits.clients());
        // Two seconds on, every client's debt (one interval, the burst of one) is paid: forgotten to make room.
        assertEquals(Verdict.ADMITTED, limits.admit(one, "203.0.113.1", 2 * SECOND));
        assertEquals(1, limits.clients());
    }
}
