package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * v1 Service.
 *
 * @param type         spec.type (ClusterIP, NodePort, LoadBalancer, ExternalName), written as "serviceType"
 *                     so it cannot collide with the "type" discriminator of {@link ObjectState}
 * @param externalName spec.externalName for ExternalName Services, else null
 */
public record ServiceState(@JsonProperty("serviceType") String type, String externalName, List<Port> ports) implements ObjectState {
    public ServiceState {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    @Override
    public Kind kind() {
        return Kind.SERVICE;
    }

    /** spec.ports[]; targetPort is the number or name as written (IntOrString), null when absent. */
    public record Port(String name, int port, String targetPort, String protocol) {
    }
}
