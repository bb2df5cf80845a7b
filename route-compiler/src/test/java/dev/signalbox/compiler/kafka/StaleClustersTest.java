package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.model.ClusterSync;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Which silent clusters the compiler proposes to record as stale, over a timeline of reads and questions. */
class StaleClustersTest {
    static final long S = 1_000_000_000L;
    static final ClusterSync BEATING = new ClusterSync(true, 1, 1, Instant.EPOCH, false, false, false);
    static final ClusterSync STALE = new ClusterSync(true, 1, 1, Instant.EPOCH, true, false, false);
    static final ClusterSync OLD_WATCHER = new ClusterSync(true, 1);

    @Test
    void aClusterSilentForTheConfiguredTimeIsProposedOnceAndAgainOnlyAfterItsDecisionWasRead() {
        StaleClusters s = new StaleClusters(30 * S);
        Map<String, ClusterSync> clusters = new TreeMap<>(Map.of("east", BEATING, "west", BEATING, "old", OLD_WATCHER));
        List<String> timeline = new ArrayList<>();
        s.heard("east", 0);
        timeline.add("t=10 " + s.due(clusters, 10 * S));   // west counted from now (first asked)
        s.heard("east", 20 * S);
        timeline.add("t=40 " + s.due(clusters, 40 * S));   // west silent 30 s, east 20 s
        timeline.add("t=41 " + s.due(clusters, 41 * S));   // west pending: not again
        s.decided("west", 42 * S);
        clusters.put("west", STALE);
        timeline.add("t=60 " + s.due(clusters, 60 * S));   // east silent 40 s; west already stale
        s.decided("east", 61 * S);                          // voided: east spoke in between
        s.heard("east", 61 * S);
        timeline.add("t=80 " + s.due(clusters, 80 * S));
        s.heard("old", 85 * S);
        timeline.add("t=91 " + s.due(clusters, 91 * S));
        assertEquals(List.of("t=10 []", "t=40 [west]", "t=41 []", "t=60 [east]", "t=80 []", "t=91 [east]"), timeline);
    }

    @Test
    void nobodyIsJudgedWhileTheCompilerHearsNoClusterAtAllAndALoneClusterNeverIs() {
        StaleClusters s = new StaleClusters(30 * S);
        Map<String, ClusterSync> clusters = new TreeMap<>(Map.of("east", BEATING, "west", BEATING));
        s.heard("east", 0);
        s.heard("west", 0);
        List<String> timeline = new ArrayList<>();
        timeline.add("t=100 " + s.due(clusters, 100 * S));   // the whole log silent: Kafka away, not the clusters
        s.heard("east", 101 * S);
        timeline.add("t=120 " + s.due(clusters, 120 * S));   // west counted again from t=100
        timeline.add("t=131 " + s.due(clusters, 131 * S));   // east heard 30 s ago: nobody spoke within the time
        s.heard("east", 135 * S);
        timeline.add("t=136 " + s.due(clusters, 136 * S));   // west counted again from t=131
        s.heard("east", 160 * S);
        timeline.add("t=161 " + s.due(clusters, 161 * S));
        Map<String, ClusterSync> lone = Map.of("east", BEATING);
        StaleClusters l = new StaleClusters(30 * S);
        l.heard("east", 0);
        timeline.add("lone t=100 " + l.due(lone, 100 * S));
        assertEquals(List.of("t=100 []", "t=120 []", "t=131 []", "t=136 []", "t=161 [west]", "lone t=100 []"), timeline);
    }
}
