package dev.signalbox.launcher.manifests;

/**
 * Kubernetes YAML that the propagation benchmark, the class-data-sharing training and the end-to-end tests
 * write into a manifests directory: our default IngressClass, Services on 127.0.0.1, Ingresses, TLS Secrets.
 */
public final class Manifests {
    private Manifests() {
    }

    public static String ingressClass() {
        return """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: signalbox
                  annotations:
                    ingressclass.kubernetes.io/is-default-class: "true"
                spec:
                  controller: signalbox.dev/ingress-controller
                """;
    }

    /** A Service {@code name} in namespace "bench" whose one endpoint is 127.0.0.1:{@code port}. */
    public static String service(String name, int port) {
        return service(name) + "---\n" + endpointSlice(name, name + "-1", port);
    }

    /**
     * A Service {@code name} in namespace "bench" with one endpoint on 127.0.0.1 per port, each in an
     * EndpointSlice of its own named after the port (a slice has one port list for all its endpoints).
     */
    public static String serviceAt(String name, int... ports) {
        StringBuilder b = new StringBuilder(service(name));
        for (int port : ports) {
            b.append("---\n").append(endpointSlice(name, name + "-" + port, port));
        }
        return b.toString();
    }

    private static String service(String name) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %1$s
                  namespace: bench
                spec:
                  ports:
                  - name: http
                    port: 80
                    targetPort: http
                """.formatted(name);
    }

    private static String endpointSlice(String service, String name, int port) {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %2$s
                  namespace: bench
                  labels:
                    kubernetes.io/service-name: %1$s
                addressType: IPv4
                ports:
                - name: http
                  port: %3$d
                endpoints:
                - addresses: ["127.0.0.1"]
                  conditions:
                    ready: true
                """.formatted(service, name, port);
    }

    /** An Ingress routing host/path (Prefix) to the Service. */
    public static String ingress(String name, String host, String path, String service) {
        return ingress(name, host, java.util.List.of(path), service);
    }

    /** An Ingress routing each of host/paths (Prefix) to the Service. */
    public static String ingress(String name, String host, java.util.List<String> paths, String service) {
        StringBuilder b = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %1$s
                  namespace: bench
                spec:
                  rules:
                  - host: %2$s
                    http:
                      paths:
                """.formatted(name, host));
        for (String path : paths) {
            b.append("""
                          - path: %1$s
                            pathType: Prefix
                            backend:
                              service:
                                name: %2$s
                                port:
                                  name: http
                    """.formatted(path, service));
        }
        return b.toString();
    }

    /**
     * A kubernetes.io/tls Secret in namespace "bench" holding these PEM texts; {@code caPem} (ca.crt) is
     * left out when null.
     */
    public static String tlsSecret(String name, String certPem, String keyPem, String caPem) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        java.util.function.Function<String, String> enc = t -> b64.encodeToString(t.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: " + name
                + "\n  namespace: bench\ndata:\n" + (caPem == null ? "" : "  ca.crt: " + enc.apply(caPem) + "\n")
                + "  tls.crt: " + enc.apply(certPem) + "\n  tls.key: " + enc.apply(keyPem) + "\n";
    }

    /** An Ingress serving {@code host} over TLS with the Secret, routing / (Prefix) to the Service. */
    public static String tlsIngress(String name, String host, String secret, String service) {
        String tls = "spec:\n  tls:\n  - hosts: [%s]\n    secretName: %s\n".formatted(host, secret);
        return ingress(name, host, "/", service).replace("spec:\n", tls);
    }
}
