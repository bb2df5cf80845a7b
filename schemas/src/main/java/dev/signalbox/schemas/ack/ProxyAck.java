package dev.signalbox.schemas.ack;

import java.time.Instant;
import java.util.Objects;

/**
 * What a proxy node tells the fleet (the {@code signalbox.proxy.acks} topic, keyed by node id): that it applied
 * a snapshot version, that it rejected one and why (Signalbox's xDS ACK/NACK), that it is still there
 * (a heartbeat, repeating its state while nothing changes), or that it stopped. {@code bin/ingress fleet} reads
 * them.
 *
 * @param node      the node id
 * @param cluster   the Kubernetes cluster the node runs in, or null when unknown
 * @param zone      its zone, or null when unknown
 * @param type      what happened
 * @param version   APPLIED, REJECTED: the version concerned; HEARTBEAT, STOPPED: the version it serves (0: none)
 * @param reason    REJECTED: why; otherwise null
 * @param at        when it happened, by the node's clock
 * @param ready     whether the node is ready (serving a snapshot, not draining)
 * @param appliedAt when the node applied the version it serves, or null before the first
 */
public record ProxyAck(int formatVersion, String node, String cluster, String zone, Type type, long version,
                       String reason, Instant at, boolean ready, Instant appliedAt) {
    public enum Type {
        APPLIED,
        REJECTED,
        HEARTBEAT,
        STOPPED
    }

    public ProxyAck {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
    }
}
