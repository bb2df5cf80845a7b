package dev.signalbox.e2e.chaos;

/** Minimal Kubernetes YAML for the fault tests: our default class, a Service with one endpoint, an Ingress. */
final class ChaosManifests {
    private ChaosManifests() {
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

    static String service(String name, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: chaos}
                spec:
                  ports: [{name: http, port: 80}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-1
                  namespace: chaos
                  labels: {kubernetes.io/service-name: %1$s}
                addressType: IPv4
                ports: [{name: http, port: %2$d}]
                endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                """.formatted(name, port);
    }

    static String ingress(String name, String host, String service) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %1$s, namespace: chaos}
                spec:
                  rules:
                  - host: %2$s
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: %3$s, port: {name: http}}}}
                """.formatted(name, host, service);
    }

    /** A Service whose endpoints are 127.0.0.1 at each port, one EndpointSlice per port (a slice has one port list). */
    static String serviceAt(String name, int... ports) {
        StringBuilder b = new StringBuilder("""
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: chaos}
                spec:
                  ports: [{name: http, port: 80}]
                """.formatted(name));
        for (int port : ports) {
            b.append("""
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: %1$s-%2$d
                      namespace: chaos
                      labels: {kubernetes.io/service-name: %1$s}
                    addressType: IPv4
                    ports: [{name: http, port: %2$d}]
                    endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                    """.formatted(name, port));
        }
        return b.toString();
    }
}
