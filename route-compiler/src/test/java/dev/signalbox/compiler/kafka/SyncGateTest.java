package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.model.ClusterSync;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Sync timeout 30 s; times in seconds; "since" is when the compiler first saw each cluster waiting. */
class SyncGateTest {
    private static final ClusterSync SYNCED = new ClusterSync(true, 3);
    private static final ClusterSync WAITING = new ClusterSync(true, -1);
    private static final ClusterSync UNMARKED = new ClusterSync(false, -1);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing is published before any cluster wrote", Map.of(), Map.of(), 100L,
                        "no cluster has written to the events log yet"),
                Arguments.of("a synced cluster is published", Map.of("east", SYNCED), Map.of(), 0L, ""),
                Arguments.of("a cluster whose watcher writes but has not synced holds everything back",
                        Map.of("east", SYNCED, "west", WAITING), Map.of("west", 10L), 39L,
                        "waiting for the end of cluster west's initial list"),
                Arguments.of("until the sync timeout has passed", Map.of("east", SYNCED, "west", WAITING),
                        Map.of("west", 10L), 40L, ""),
                Arguments.of("a waiting cluster alone is published after the timeout too", Map.of("west", WAITING),
                        Map.of("west", 0L), 30L, ""),
                Arguments.of("a cluster known only from events outside transactions (an older watcher) never waits",
                        Map.of("old", UNMARKED), Map.of(), 0L, "")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhetherToPublish(String name, Map<String, ClusterSync> clusters, Map<String, Long> sinceSeconds,
                                 long nowSeconds, String heldBecause) {
        Map<String, Long> since = new java.util.HashMap<>();
        sinceSeconds.forEach((k, v) -> since.put(k, v * 1_000_000_000L));
        SyncGate.Verdict v = SyncGate.decide(clusters, since, nowSeconds * 1_000_000_000L, 30_000_000_000L);
        assertEquals(new SyncGate.Verdict(heldBecause.isEmpty(), heldBecause), v);
    }
}
