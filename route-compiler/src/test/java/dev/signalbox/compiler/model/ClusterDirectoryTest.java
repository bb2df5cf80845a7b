package dev.signalbox.compiler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceExportState;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.event.TransactionMark;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@code bin/ingress cluster list|remove} make of a log: records in, the whole answer out. */
class ClusterDirectoryTest {
    static final Instant T = Instant.parse("2026-12-06T03:00:00Z");
    static final TransactionMark MARK = new TransactionMark("signalbox-watcher-x", "s", 2, 1, 1);

    static ClusterEvent object(String cluster, String name) {
        return ClusterEvent.upsert(new ObjectKey(cluster, Kind.SERVICE_EXPORT, "ns", name), "uid-" + name, "7", T, 2,
                new ServiceExportState(null)).withTransaction(MARK);
    }

    static ClusterModel model(List<EventLogRecord> records) {
        ClusterModel m = new ClusterModel();
        records.forEach(m::apply);
        return m;
    }

    /** east: live; west: stale; old: an older watcher without heartbeats; gone: removed. */
    static final List<EventLogRecord> LOG = List.of(
            object("east", "a"), SyncMarker.of("east", 2, T, 1), Heartbeat.of("east", 2, T.plusSeconds(50), 1),
            object("west", "a"), object("west", "b"), SyncMarker.of("west", 3, T, 2), Heartbeat.of("west", 3, T.plusSeconds(5), 2),
            ClusterLiveness.stale("west", 3, T.plusSeconds(40), T.plusSeconds(5), false, "silent"),
            ClusterEvent.upsert(new ObjectKey("old", Kind.SERVICE_EXPORT, "ns", "a"), "u", "1", T, 0, new ServiceExportState(null)),
            object("gone", "a"), Heartbeat.of("gone", 1, T, 1), ClusterEvent.delete(new ObjectKey("gone", Kind.SERVICE_EXPORT, "ns", "a"),
                    "u", "1", T, 1), ClusterLiveness.removed("gone", 1, T.plusSeconds(60), "decommissioned"));

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("a stale cluster may be removed", "west", false, Optional.empty()),
                Arguments.of("a cluster the log never spoke of is refused", "nowhere", false,
                        Optional.of("the events log has no cluster nowhere")),
                Arguments.of("a removed cluster is not removed again", "gone", false,
                        Optional.of("cluster gone was removed already")),
                Arguments.of("a live cluster is refused, with what to do", "east", false, Optional.of("cluster east is live"
                        + " (last heartbeat 2026-12-06T03:00:50Z, leader epoch 2): a running watcher would publish its objects"
                        + " again at its next takeover. Stop its watcher first; once `bin/ingress cluster list` shows it stale"
                        + " (after the compiler's --cluster-stale-after), run this again. --force removes it anyway (a cluster"
                        + " whose watcher sends no heartbeats, or is known to be gone).")),
                Arguments.of("--force removes a cluster whose watcher sends no heartbeats", "old", true, Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(String name, String cluster, boolean force, Optional<String> expected) {
        assertEquals(expected, ClusterDirectory.refusal(model(LOG), cluster, force));
    }

    @org.junit.jupiter.api.Test
    void listsEveryClusterWithItsStateLastHeartbeatObjectsAndEpoch() {
        assertEquals(List.of(
                new ClusterDirectory.Cluster("east", "live", T.plusSeconds(50), 1, 2),
                new ClusterDirectory.Cluster("gone", "removed", T, 0, 2),
                new ClusterDirectory.Cluster("old", "no-heartbeat", null, 1, 0),
                new ClusterDirectory.Cluster("west", "stale", T.plusSeconds(5), 2, 3)), ClusterDirectory.list(model(LOG)));
    }

    @org.junit.jupiter.api.Test
    void aRemovalDeletesEveryObjectOfTheClusterInKeyOrderThenRecordsTheRemoval() {
        Instant now = T.plusSeconds(100);
        assertEquals(List.of(
                ClusterEvent.delete(new ObjectKey("west", Kind.SERVICE_EXPORT, "ns", "a"), "uid-a", "7", now, 3),
                ClusterEvent.delete(new ObjectKey("west", Kind.SERVICE_EXPORT, "ns", "b"), "uid-b", "7", now, 3),
                ClusterLiveness.removed("west", 3, now, "why")), ClusterDirectory.removal(model(LOG), "west", now, "why"));
    }
}
