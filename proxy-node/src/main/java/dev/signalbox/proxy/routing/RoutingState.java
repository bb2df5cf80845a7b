package dev.signalbox.proxy.routing;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;

/**
 * The table the proxy serves from: one volatile reference to an immutable {@link CompiledTable}, swapped
 * whole. The snapshot thread writes it; event loops read it once per request, so a request keeps the table
 * it started with. Tables are compiled for this node's {@link Locality}: each backend's endpoints are grouped by
 * where they run once per snapshot, on the snapshot thread.
 */
public final class RoutingState {
    private final Locality locality;
    private volatile CompiledTable current = CompiledTable.EMPTY;

    public RoutingState(Locality locality) {
        this.locality = locality;
    }

    /** Where this node runs. */
    public Locality locality() {
        return locality;
    }

    public CompiledTable current() {
        return current;
    }

    public long appliedVersion() {
        return current.version();
    }

    /** Compiles and installs {@code snapshot} if it is newer than the applied one; returns whether it did. */
    public boolean apply(RoutingSnapshot snapshot) {
        if (snapshot.version() <= current.version()) {
            return false;
        }
        // Backends and hosts the new version did not change keep their compiled form (issue 15).
        current = CompiledTable.compile(snapshot, locality, current);
        return true;
    }
}
