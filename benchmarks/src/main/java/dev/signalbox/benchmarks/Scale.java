package dev.signalbox.benchmarks;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.SyntheticCluster;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.time.Instant;
import java.util.List;

/**
 * The size issue 15 ("Scale") sets its targets at, shared by every benchmark here: one cluster of 10,000 Ingresses,
 * each its own host with 10 Prefix paths (100,000 paths) to its own Service of 10 ready endpoints (100,000
 * endpoints), built by {@link SyntheticCluster}.
 */
final class Scale {
    static final int INGRESSES = 10_000;
    static final int ENDPOINTS_PER_SERVICE = 10;
    static final int PATHS_PER_HOST = 10;

    private Scale() {
    }

    static ClusterModel model() {
        return SyntheticCluster.model(INGRESSES, ENDPOINTS_PER_SERVICE, PATHS_PER_HOST);
    }

    /** The slice of Service app-i with its first {@code unready} endpoints not ready: one endpoint change when 0 and 1 alternate. */
    static ClusterEvent slice(int i, int unready) {
        return SyntheticCluster.app("c0", 0, i, ENDPOINTS_PER_SERVICE, unready, PATHS_PER_HOST).get(2);
    }

    /** The table as the compiler loop compiles it. */
    static RoutingTable compile(ClusterModel model) {
        return Isolation.compile(model);
    }

    /** A snapshot of {@code table} as the compiler publishes it (no provenance: a few bytes per partition). */
    static RoutingSnapshot snapshot(long version, RoutingTable table) {
        return SnapshotCodec.create(version, Instant.EPOCH, List.of(), table);
    }
}
