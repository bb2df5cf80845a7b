package dev.signalbox.deploy;

/** Kubernetes YAML that the propagation benchmark (and the local-mode tests) write into a manifests directory. */
final class Manifests {
    private Manifests() {
    }

    static String ingressClass() {
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
    static String service(String name, int port) {
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
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-1
                  namespace: bench
                  labels:
                    kubernetes.io/service-name: %1$s
                addressType: IPv4
                ports:
                - name: http
                  port: %2$d
                endpoints:
                - addresses: ["127.0.0.1"]
                  conditions:
                    ready: true
                """.formatted(name, port);
    }

    /** An Ingress routing host/path (Prefix) to the Service. */
    static String ingress(String name, String host, String path, String service) {
        return ingress(name, host, java.util.List.of(path), service);
    }

    /** An Ingress routing each of host/paths (Prefix) to the Service. */
    static String ingress(String name, String host, java.util.List<String> paths, String service) {
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
}
