package dev.signalbox.launcher;

import dev.signalbox.routing.Locality;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --zone} and {@code --locality}: where a proxy runs within its cluster and how it chooses endpoints by
 * where they run. Shared by {@code proxy}, {@code local} (its proxies) and {@code explain} (the proxy asked about);
 * each command has its own {@code --cluster-id}.
 */
final class LocalityOption {
    @Option(names = "--zone", paramLabel = "Z",
            description = "This proxy's zone (its node's topology.kubernetes.io/zone); endpoints whose EndpointSlice says "
                    + "the same zone, in the same cluster, are preferred. Default: none (an empty value is none too).")
    String zone;

    @Option(names = "--locality", defaultValue = "prefer-local", paramLabel = "POLICY", converter = PolicyConverter.class,
            description = "prefer-local: endpoints in this zone, else this cluster, else other clusters (failover); "
                    + "balance-all: round-robin over every endpoint.")
    Locality.Policy policy;

    /** This option's locality in {@code cluster}. */
    Locality in(String cluster) {
        return new Locality(cluster, zone, policy);
    }

    static final class PolicyConverter implements ITypeConverter<Locality.Policy> {
        @Override
        public Locality.Policy convert(String value) {
            try {
                return Locality.Policy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
