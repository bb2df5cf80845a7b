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
        timeline.add("t=91 " + s.due(clusters, 91 * S));
        assertEquals(List.of("t=10 []", "t=40 [west]", "t=41 []", "t=60 [east]", "t=80 []", "t=91 [east]"), timeline);
    }
}
