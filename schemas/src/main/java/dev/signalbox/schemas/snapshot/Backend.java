package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;

/**
 * A Service port that routes send to, with the endpoints traffic may go to now.
 *
 * @param id          cluster/namespace/service:port, as routes refer to it, followed by
 *                    {@code " " + tls.label()} for a backend spoken to over TLS
 * @param servicePort the port as the Ingress named it (number or name)
 * @param endpoints   ready endpoints, sorted; empty means requests get 503 with {@code unavailableReason}
 * @param unavailableReason why there are no endpoints, shown to clients in the 503 body; null when there are
 * @param tls         how to speak HTTPS to the endpoints, or null for plain HTTP (an additive field)
 * @param protocol    {@value #HTTP2} for HTTP/2 to the endpoints (h2c with prior knowledge, or h2 negotiated by
 *                    ALPN over {@code tls}: the backend-protocol annotation's GRPC, GRPCS and H2C); null for
 *                    HTTP/1.1 (an additive field)
 */
public record Backend(String id, String cluster, String namespace, String service, String servicePort,
                      List<Endpoint> endpoints, String unavailableReason, UpstreamTls tls, String protocol) {
    /** The {@code protocol} of a backend spoken to over HTTP/2. */
    public static final String HTTP2 = "h2";

    @JsonCreator
    public Backend {
        endpoints = List.copyOf(endpoints);
    }

    /** A backend spoken to over HTTP/1.1, over TLS with {@code tls} or plain when null. */
    public Backend(String id, String cluster, String namespace, String service, String servicePort,
                   List<Endpoint> endpoints, String unavailableReason, UpstreamTls tls) {
        this(id, cluster, namespace, service, servicePort, endpoints, unavailableReason, tls, null);
    }

    /** Whether the endpoints are spoken to over HTTP/2. */
    public boolean http2() {
        return HTTP2.equals(protocol);
    }

    /** A backend spoken to over plain HTTP. */
    public Backend(String id, String cluster, String namespace, String service, String servicePort,
                   List<Endpoint> endpoints, String unavailableReason) {
        this(id, cluster, namespace, service, servicePort, endpoints, unavailableReason, null, null);
    }

    public static String idOf(String cluster, String namespace, String service, String port) {
        return cluster + "/" + namespace + "/" + service + ":" + port;
    }

    /** The id of a backend with these TLS settings; {@link #idOf(String, String, String, String)} without. */
    public static String idOf(String cluster, String namespace, String service, String port, UpstreamTls tls) {
        return idOf(cluster, namespace, service, port) + (tls == null ? "" : " " + tls.label());
    }

    /** The id of a backend with these TLS settings and {@code protocol} (null: HTTP/1.1). */
    public static String idOf(String cluster, String namespace, String service, String port, UpstreamTls tls,
                              String protocol) {
        return idOf(cluster, namespace, service, port, tls) + (protocol == null ? "" : " " + protocol);
    }
}
