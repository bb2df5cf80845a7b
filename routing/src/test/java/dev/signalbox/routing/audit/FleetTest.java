package dev.signalbox.routing.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.ack.ProxyAck;
import dev.signalbox.schemas.ack.ProxyAck.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FleetTest {
    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    private static final Duration GONE_AFTER = Duration.ofSeconds(30);

    private static Instant t(long millis) {
        return T0.plusMillis(millis);
    }

    private static ProxyAck ack(String node, Type type, long version, long atMillis, Long appliedAtMillis) {
        return new ProxyAck(1, node, null, null, type, version, type == Type.REJECTED ? "bad table" : null, t(atMillis),
                type != Type.STOPPED, appliedAtMillis == null ? null : t(appliedAtMillis));
    }

    record Case(String name, List<ProxyAck> acks, List<Fleet.Published> published, long nowMillis,
                List<Fleet.Node> nodes, List<Fleet.Version> versions, Long p50, Long p99) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        List<Fleet.Published> v2 = List.of(new Fleet.Published(2, t(1000)));
        return Stream.of(
                new Case("Two nodes apply a version; the time to the last proxy is the slower one's",
                        List.of(ack("a", Type.APPLIED, 1, 0, 0L), ack("b", Type.APPLIED, 1, 10, 10L),
                                ack("a", Type.APPLIED, 2, 1020, 1020L), ack("b", Type.APPLIED, 2, 1090, 1090L)),
                        v2, 2000,
                        List.of(new Fleet.Node("a", null, null, 2, t(1020), true, t(1020), "up", null),
                                new Fleet.Node("b", null, null, 2, t(1090), true, t(1090), "up", null)),
                        List.of(new Fleet.Version(2, t(1000), t(1090), 2, 2)), 90L, 90L),
                new Case("A node that stopped is shown as stopped and no longer waited for",
                        List.of(ack("a", Type.APPLIED, 1, 0, 0L), ack("b", Type.APPLIED, 1, 10, 10L),
                                ack("b", Type.STOPPED, 1, 500, 10L), ack("a", Type.APPLIED, 2, 1030, 1030L)),
                        v2, 2000,
                        List.of(new Fleet.Node("a", null, null, 2, t(1030), true, t(1030), "up", null),
                                new Fleet.Node("b", null, null, 1, t(10), false, t(500), "stopped", null)),
                        List.of(new Fleet.Version(2, t(1000), t(1030), 1, 1)), 30L, 30L),
                new Case("A node silent beyond gone-after is gone, not dropped",
                        List.of(ack("a", Type.APPLIED, 1, 0, 0L), ack("b", Type.APPLIED, 1, 10, 10L),
                                ack("a", Type.HEARTBEAT, 1, 40_000, 0L)),
                        List.of(), 45_000,
                        List.of(new Fleet.Node("a", null, null, 1, t(0), true, t(40_000), "up", null),
                                new Fleet.Node("b", null, null, 1, t(10), false, t(10), "gone", null)),
                        List.of(), null, null),
                new Case("A rejected version keeps the node on its old one, and the version is not everywhere",
                        List.of(ack("a", Type.APPLIED, 1, 0, 0L), ack("b", Type.APPLIED, 1, 10, 10L),
                                ack("a", Type.APPLIED, 2, 1020, 1020L), ack("b", Type.REJECTED, 2, 1025, null),
                                ack("b", Type.HEARTBEAT, 1, 1500, 10L)),
                        v2, 2000,
                        List.of(new Fleet.Node("a", null, null, 2, t(1020), true, t(1020), "up", null),
                                new Fleet.Node("b", null, null, 1, t(10), true, t(1500), "up", "2: bad table")),
                        List.of(new Fleet.Version(2, t(1000), null, 1, 2)), null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void summarizes(Case c) {
        assertEquals(new Fleet.View(c.nodes(), c.versions(), c.p50(), c.p99()),
                Fleet.of(c.acks(), c.published(), t(c.nowMillis()), GONE_AFTER));
    }
}
