package dev.signalbox.e2e.conformance;

import java.util.List;

/**
 * Kubernetes YAML for {@link ConformanceIT}: IngressClasses, Services backed by echo backends on 127.0.0.1,
 * and Ingresses assembled from rules, all in namespace {@value #NAMESPACE}.
 */
final class ConformanceManifests {
    static final String NAMESPACE = "conf";
    static final String OUR_CLASS = "signalbox";
    static final String OTHER_CLASS = "nginx";

    private ConformanceManifests() {
    }

    /** Our class (default or not) and another controller's class. */
    static String ingressClasses(boolean oursIsDefault) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: %s
                  annotations:
                    ingressclass.kubernetes.io/is-default-class: "%s"
                spec:
                  controller: signalbox.dev/ingress-controller
                ---
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: %s
                spec:
                  controller: k8s.io/ingress-nginx
                """.formatted(OUR_CLASS, oursIsDefault, OTHER_CLASS);
    }

    /**
     * A Service whose port "http" is served by one endpoint on 127.0.0.1 per entry of {@code ports}. An
     * EndpointSlice has one port number for all its endpoints, so each endpoint gets its own slice.
     */
    static String service(String name, List<Integer> ports) {
        return service(name, "IPv4", "127.0.0.1", ports);
    }

    /** Like {@link #service(String, List)} with endpoints at {@code address} of {@code addressType}. */
    static String service(String name, String addressType, String address, List<Integer> ports) {
        StringBuilder b = new StringBuilder("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  ports:
                  - name: http
                    port: 80
                    targetPort: http
                """.formatted(name, NAMESPACE));
        for (int i = 0; i < ports.size(); i++) {
            b.append("""
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: %1$s-%2$d
                      namespace: %3$s
                      labels:
                        kubernetes.io/service-name: %1$s
                    addressType: %5$s
                    ports:
                    - name: http
                      port: %4$d
                    endpoints:
                    - addresses: ["%6$s"]
                      conditions:
                        ready: true
                    """.formatted(name, i, NAMESPACE, ports.get(i), addressType, address));
        }
        return b.toString();
    }

    /** An ExternalName Service for {@code dnsName}, whose port "http" is {@code port}. */
    static String externalName(String name, String dnsName, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  type: ExternalName
                  externalName: %s
                  ports:
                  - name: http
                    port: %d
                """.formatted(name, NAMESPACE, dnsName, port);
    }

    /** One HTTPIngressPath; {@code service} null gives a resource backend instead. */
    record IngressPath(String pathType, String path, String service) {
    }

    static IngressPath prefix(String path, String service) {
        return new IngressPath("Prefix", path, service);
    }

    static IngressPath exact(String path, String service) {
        return new IngressPath("Exact", path, service);
    }

    /** One IngressRule; {@code host} null for a rule without host. */
    record Rule(String host, List<IngressPath> paths) {
        Rule(String host, IngressPath... paths) {
            this(host, List.of(paths));
        }
    }

    /** How an Ingress names its class: spec.ingressClassName, the legacy annotation, or not at all (nulls). */
    record ClassRef(String ingressClassName, String legacyAnnotation) {
        static final ClassRef OURS = new ClassRef(OUR_CLASS, null);
        static final ClassRef NONE = new ClassRef(null, null);
    }

    static String ingress(String name, Rule... rules) {
        return ingress(name, ClassRef.OURS, null, List.of(rules));
    }

    /** An Ingress; {@code defaultBackend} is a Service name or null. */
    static String ingress(String name, ClassRef classRef, String defaultBackend, List<Rule> rules) {
        StringBuilder b = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: %s
                """.formatted(name, NAMESPACE));
        if (classRef.legacyAnnotation() != null) {
            b.append("  annotations:\n    kubernetes.io/ingress.class: ").append(classRef.legacyAnnotation()).append('\n');
        }
        b.append("spec:\n");
        if (classRef.ingressClassName() != null) {
            b.append("  ingressClassName: ").append(classRef.ingressClassName()).append('\n');
        }
        if (defaultBackend != null) {
            b.append("  defaultBackend:\n").append(serviceBackend(defaultBackend, "    "));
        }
        if (!rules.isEmpty()) {
            b.append("  rules:\n");
        }
        for (Rule r : rules) {
            b.append(r.host() == null ? "  - http:\n" : "  - host: \"" + r.host() + "\"\n    http:\n");
            b.append("      paths:\n");
            for (IngressPath p : r.paths()) {
                b.append("      - path: ").append(p.path()).append('\n');
                b.append("        pathType: ").append(p.pathType()).append('\n');
                b.append("        backend:\n");
                if (p.service() == null) {
                    b.append("          resource:\n            apiGroup: k8s.example.com\n"
                            + "            kind: StorageBucket\n            name: static-assets\n");
                } else {
                    b.append(serviceBackend(p.service(), "          "));
                }
            }
        }
        return b.toString();
    }

    private static String serviceBackend(String service, String indent) {
        return (indent + "service:\n" + indent + "  name: " + service + "\n" + indent + "  port:\n"
                + indent + "    name: http\n");
    }

    static String documents(List<String> docs) {
        return String.join("---\n", docs);
    }
}
