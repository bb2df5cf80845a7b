package dev.signalbox.routing.audit;

import java.util.List;

/**
 * An Ingress that is not Signalbox's (its class belongs to another controller, or names no class of ours):
 * the compiler leaves it out of the table, so {@link Explain} learns of it from the events log to say why a
 * host it names is unknown.
 *
 * @param className spec.ingressClassName, or the legacy annotation's value, or null for none
 * @param hosts     the hosts its rules name
 */
public record ForeignIngress(String cluster, String namespace, String name, String className, List<String> hosts) {
    public ForeignIngress {
        hosts = List.copyOf(hosts);
    }
}
