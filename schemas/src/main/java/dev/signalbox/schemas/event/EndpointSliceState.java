package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;

/**
 * discovery.k8s.io/v1 EndpointSlice.
 *
 * @param serviceName the kubernetes.io/service-name label: the Service this slice belongs to
 */
public record EndpointSliceState(
        String serviceName, String addressType, List<Port> ports, List<Endpoint> endpoints) implements ObjectState {

    public EndpointSliceState {
        ports = ports == null ? List.of() : List.copyOf(ports);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    }

    @Override
    public Kind kind() {
        return Kind.ENDPOINT_SLICE;
    }

    /** ports[]: name is empty or null for the single unnamed port. */
    public record Port(String name, Integer port, String protocol) {
    }

    /**
     * endpoints[] with its conditions. A null condition is "unknown"; the API says consumers should
     * treat an unknown ready condition as ready.
     *
     * @param zone endpoints[].zone (the zone of the endpoint's node), or null when the slice does not say
     */
    public record Endpoint(List<String> addresses, Boolean ready, Boolean serving, Boolean terminating, String zone) {
        @JsonCreator
        public Endpoint {
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
        }

        /** An endpoint in no known zone. */
        public Endpoint(List<String> addresses, Boolean ready, Boolean serving, Boolean terminating) {
            this(addresses, ready, serving, terminating, null);
        }
    }
}
