package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * One address and port a backend sends to (an IPv4 or IPv6 literal, or a DNS name for ExternalName), with
 * where it runs, so that a proxy can prefer endpoints near it.
 *
 * @param cluster the cluster the endpoint runs in when it is not the backend's own cluster (an endpoint of a
 *                Service exported from another cluster); null for the backend's own cluster, so a single
 *                cluster's snapshots encode, and hash, as they did before clusters were merged
 * @param zone    the EndpointSlice endpoint's {@code zone} (topology.kubernetes.io/zone of its node), or null
 *                when the slice does not say
 * @param stale   true for an endpoint of a cluster the compiler recorded as stale (silent) and kept by
 *                configuration (issue 14); null otherwise, so snapshots without stale clusters encode as before
 */
public record Endpoint(String address, int port, String cluster, String zone, Boolean stale) {
    @JsonCreator
    public Endpoint {
        stale = Boolean.TRUE.equals(stale) ? Boolean.TRUE : null;
    }

    /** An endpoint of a cluster that is not stale. */
    public Endpoint(String address, int port, String cluster, String zone) {
        this(address, port, cluster, zone, null);
    }

    /** An endpoint of the backend's own cluster, in no known zone. */
    public Endpoint(String address, int port) {
        this(address, port, null, null, null);
    }

    /** The cluster this endpoint runs in, given the cluster of the backend it belongs to. */
    public String clusterOr(String backendCluster) {
        return cluster != null ? cluster : backendCluster;
    }
}
