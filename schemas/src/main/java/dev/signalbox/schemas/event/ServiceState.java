package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * v1 Service.
 *
 * @param type         spec.type (ClusterIP, NodePort, LoadBalancer, ExternalName), written as "serviceType"
 *                     so it cannot collide with the "type" discriminator of {@link ObjectState}
 * @param externalName spec.externalName for ExternalName Services, else null
 * @param clusterIP    spec.clusterIP, the Service's virtual address ({@code service-upstream}), "None" for a headless
 *                     Service; null when not set (an ExternalName Service, a manifest without it) and in records
 *                     written before it was published (an additive field)
 */
public record ServiceState(@JsonProperty("serviceType") String type, String externalName, List<Port> ports,
                           String clusterIP) implements ObjectState {
    @JsonCreator
    public ServiceState {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** A Service without a cluster IP (or whose cluster IP does not matter). */
    public ServiceState(String type, String externalName, List<Port> ports) {
        this(type, externalName, ports, null);
    }

    @Override
    public Kind kind() {
        return Kind.SERVICE;
    }

    /** spec.ports[]; targetPort is the number or name as written (IntOrString), null when absent. */
    public record Port(String name, int port, String targetPort, String protocol) {
    }
}
