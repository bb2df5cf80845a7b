package dev.signalbox.schemas.event;

/**
 * networking.k8s.io/v1 IngressClass.
 *
 * @param controller   spec.controller
 * @param defaultClass metadata.annotations["ingressclass.kubernetes.io/is-default-class"] == "true"
 */
public record IngressClassState(String controller, boolean defaultClass) implements ObjectState {
    @Override
    public Kind kind() {
        return Kind.INGRESS_CLASS;
    }
}
