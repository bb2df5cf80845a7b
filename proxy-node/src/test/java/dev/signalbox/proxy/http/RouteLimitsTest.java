package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.proxy.http.NextUpstream.Condition;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A route's limits over the node's: what the snapshot sets wins, field by field; the rest is the node's. */
class RouteLimitsTest {
    private static final Duration NODE_READ = Duration.ofSeconds(60);
    private static final RouteLimits NODE = RouteLimits.node(1L << 20, NODE_READ);

    record Case(String name, ProxyLimits route, RouteLimits expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static ProxyLimits limits(Long body, Integer connect, Integer read, Integer send, List<String> next,
                                      Integer tries, Integer timeout) {
        return new ProxyLimits(body, connect, read, send, next, tries, timeout);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("A route without limits gets the node's: 1m, its connect timeout, 60 s, error timeout x3",
                        null, new RouteLimits(1L << 20, null, NODE_READ, NODE_READ,
                                new NextUpstream(Set.of(Condition.ERROR, Condition.TIMEOUT), 3, 0))),
                new Case("proxy-body-size 0 lifts the limit", limits(0L, null, null, null, null, null, null),
                        new RouteLimits(0, null, NODE_READ, NODE_READ, NextUpstream.DEFAULT)),
                new Case("Timeouts in seconds replace the node's one by one", limits(null, 3, 5, null, null, null, null),
                        new RouteLimits(1L << 20, Duration.ofSeconds(3), Duration.ofSeconds(5), NODE_READ,
                                NextUpstream.DEFAULT)),
                new Case("proxy-next-upstream names the conditions; tries and timeout keep ingress-nginx's defaults",
                        limits(null, null, null, 30, List.of("error", "http_502", "http_503"), null, null),
                        new RouteLimits(1L << 20, null, NODE_READ, Duration.ofSeconds(30), new NextUpstream(
                                Set.of(Condition.ERROR, Condition.HTTP_502, Condition.HTTP_503), 3, 0))),
                new Case("off is no condition at all", limits(null, null, null, null, List.of(), null, null),
                        new RouteLimits(1L << 20, null, NODE_READ, NODE_READ, new NextUpstream(Set.of(), 3, 0))),
                new Case("tries and timeout alone keep the default conditions",
                        limits(null, null, null, null, null, 5, 10),
                        new RouteLimits(1L << 20, null, NODE_READ, NODE_READ, new NextUpstream(
                                Set.of(Condition.ERROR, Condition.TIMEOUT), 5, 10_000_000_000L))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRoutesLimitsOverTheNodes(Case c) {
        assertEquals(c.expected(), NODE.with(c.route()));
    }

    @org.junit.jupiter.api.Test
    void aBodyIsTooLargeOnlyAboveTheLimitAndNeverWithoutOne() {
        assertEquals(List.of(false, false, true, false), Stream.of(new long[] {1L << 20, 1L << 20},
                new long[] {1L << 20, -1}, new long[] {1L << 20, (1L << 20) + 1}, new long[] {0, Long.MAX_VALUE})
                .map(c -> new RouteLimits(c[0], null, NODE_READ, NODE_READ, NextUpstream.DEFAULT).tooLarge(c[1]))
                .toList());
    }
}
