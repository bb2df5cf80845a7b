package dev.signalbox.schemas.snapshot;

import java.util.List;

/**
 * A Service port that routes send to, with the endpoints traffic may go to now.
 *
 * @param id          cluster/namespace/service:port, as routes refer to it
 * @param servicePort the port as the Ingress named it (number or name)
 * @param endpoints   ready endpoints, sorted; empty means requests get 503 with {@code unavailableReason}
 * @param unavailableReason why there are no endpoints, shown to clients in the 503 body; null when there are
 */
public record Backend(String id, String cluster, String namespace, String service, String servicePort,
                      List<Endpoint> endpoints, String unavailableReason) {
    public Backend {
        endpoints = List.copyOf(endpoints);
    }

    public static String idOf(String cluster, String namespace, String service, String port) {
        return cluster + "/" + namespace + "/" + service + ":" + port;
    }
}
