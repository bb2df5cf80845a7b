package dev.signalbox.routing;

import dev.signalbox.schemas.snapshot.Endpoint;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a proxy runs, and how it chooses among a backend's endpoints by where they run
 * ({@code bin/ingress proxy --cluster-id ID --zone Z --locality prefer-local|balance-all}).
 *
 * @param cluster the cluster the proxy runs in (an endpoint of a backend of this cluster, or an endpoint of
 *                another cluster's backend that says this cluster, is in it)
 * @param zone    the proxy's zone ({@code topology.kubernetes.io/zone} of its node), or null when unknown:
 *                then no endpoint is in its zone
 * @param policy  whether to prefer nearer endpoints or spread over all of them
 */
public record Locality(String cluster, String zone, Policy policy) {
    /** A proxy of local mode's cluster, in no known zone, preferring near endpoints: {@code bin/ingress proxy}'s defaults. */
    public static final Locality DEFAULT = new Locality("local", null, Policy.PREFER_LOCAL);

    public Locality {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(policy, "policy");
        // An empty zone is what the downward API gives for a label the pod does not have: no zone.
        zone = zone == null || zone.isBlank() ? null : zone;
    }

    /** How a proxy spreads requests over a backend's endpoints. */
    public enum Policy {
        /**
         * The endpoints in the proxy's zone, else those in its cluster, else the other clusters' (failover),
         * round-robin within that tier; an endpoint outlier detection ejected counts as absent.
         */
        PREFER_LOCAL,
        /** Round-robin over every endpoint, wherever it runs. */
        BALANCE_ALL;

        /** The command-line and JSON spelling: prefer-local, balance-all. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The policy spelled {@code label}; IllegalArgumentException naming the choices otherwise. */
        public static Policy parse(String label) {
            for (Policy p : values()) {
                if (p.label().equals(label)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown locality policy \"" + label + "\": prefer-local or balance-all");
        }
    }

    /** Where an endpoint runs as seen from the proxy: the {@code locality} label of its requests. */
    public enum Tier {
        /** The proxy's cluster and zone. */
        LOCAL_ZONE,
        /** The proxy's cluster, another zone or no zone known. */
        LOCAL_CLUSTER,
        /** Another cluster. */
        REMOTE;

        /** The metrics and JSON spelling: local-zone, local-cluster, remote. */
        public String label() {
            return this == LOCAL_ZONE ? "local-zone" : this == LOCAL_CLUSTER ? "local-cluster" : "remote";
        }
    }

    /** Where {@code endpoint} of a backend of {@code backendCluster} runs, as seen from this proxy. */
    public Tier tierOf(Endpoint endpoint, String backendCluster) {
        if (!cluster.equals(endpoint.clusterOr(backendCluster))) {
            return Tier.REMOTE;
        }
        return zone != null && zone.equals(endpoint.zone()) ? Tier.LOCAL_ZONE : Tier.LOCAL_CLUSTER;
    }
}
