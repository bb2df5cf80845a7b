package dev.signalbox.launcher.manifests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Kubernetes YAML that the propagation benchmark, the class-data-sharing training and the end-to-end tests
 * write into a manifests directory: IngressClasses, Services whose endpoints are on the loopback, Ingresses,
 * TLS Secrets, ServiceExports, all in one namespace, and a kubeconfig for a (mock) API server. The one manifest builder:
 * every YAML document the tests write comes from here.
 */
public final class Manifests {
    /** Our IngressClass's name and its spec.controller. */
    public static final String OUR_CLASS = "signalbox";
    public static final String OUR_CONTROLLER = "signalbox.dev/ingress-controller";

    private final String namespace;

    /** A builder whose namespaced objects are all in {@code namespace}. */
    public Manifests(String namespace) {
        this.namespace = namespace;
    }

    public String namespace() {
        return namespace;
    }

    /** Several YAML documents in one file. */
    public static String documents(String... docs) {
        return documents(List.of(docs));
    }

    public static String documents(List<String> docs) {
        return String.join("---\n", docs);
    }

    /** Our IngressClass, the default class. */
    public static String ingressClass() {
        return ingressClass(OUR_CLASS, OUR_CONTROLLER, true);
    }

    /** An IngressClass of {@code controller}, the cluster's default class or not. */
    public static String ingressClass(String name, String controller, boolean isDefault) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: %s
                  annotations:
                    ingressclass.kubernetes.io/is-default-class: "%s"
                spec:
                  controller: %s
                """.formatted(name, isDefault, controller);
    }

    /** A Service port: its name (which Ingresses and EndpointSlices refer to) and number. */
    public record ServicePort(String name, int number) {
        public static final ServicePort HTTP = new ServicePort("http", 80);
        public static final ServicePort HTTPS = new ServicePort("https", 443);
    }

    /**
     * One endpoint of a Service: an address of {@code addressType} (IPv4, IPv6) and a port, the zone its
     * EndpointSlice names ({@code endpoints[].zone}) or null for none, and its ready condition.
     */
    public record Endpoint(String addressType, String address, int port, String zone, boolean ready) {
        /** A ready endpoint in no zone. */
        public Endpoint(String addressType, String address, int port) {
            this(addressType, address, port, null, true);
        }

        public static Endpoint loopback(int port) {
            return new Endpoint("IPv4", "127.0.0.1", port);
        }

        /** This endpoint in {@code zone}. */
        public Endpoint inZone(String zone) {
            return new Endpoint(addressType, address, port, zone, ready);
        }

        /** This endpoint with its ready condition false (a pod failing its readiness probe, or terminating). */
        public Endpoint unready() {
            return new Endpoint(addressType, address, port, zone, false);
        }
    }

    /** A Service whose port "http" is served by one endpoint on 127.0.0.1 per port. */
    public String service(String name, int... ports) {
        return service(name, ServicePort.HTTP, IntStream.of(ports).mapToObj(Endpoint::loopback).toList());
    }

    public String service(String name, List<Integer> ports) {
        return service(name, ports.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * A Service with one port and these endpoints. An EndpointSlice has one port list for all its endpoints,
     * so each endpoint gets a slice of its own, named after its port.
     */
    public String service(String name, ServicePort port, List<Endpoint> endpoints) {
        return service(name, port, null, endpoints);
    }

    /** {@link #service(String, ServicePort, List)} with spec.clusterIP (an API server assigns it; null: none written). */
    public String service(String name, ServicePort port, String clusterIp, List<Endpoint> endpoints) {
        List<String> docs = new ArrayList<>();
        docs.add(serviceYaml(name, (clusterIp == null ? "" : "  clusterIP: " + clusterIp + "\n") + """
                  ports:
                  - name: %1$s
                    port: %2$d
                    targetPort: %1$s
                """.formatted(port.name(), port.number())));
        for (Endpoint e : endpoints) {
            docs.add("""
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: %1$s-%2$d
                      namespace: %3$s
                      labels:
                        kubernetes.io/service-name: %1$s
                    addressType: %4$s
                    ports:
                    - name: %5$s
                      port: %2$d
                    endpoints:
                    - addresses: ["%6$s"]
                      conditions:
                        ready: %7$s
                    """.formatted(name, e.port(), namespace, e.addressType(), port.name(), e.address(), e.ready())
                    + (e.zone() == null ? "" : "  zone: " + e.zone() + "\n"));
        }
        return documents(docs);
    }

    /** An ExternalName Service for {@code dnsName}, whose port "http" is {@code port}. */
    public String externalName(String name, String dnsName, int port) {
        return serviceYaml(name, """
                  type: ExternalName
                  externalName: %s
                  ports:
                  - name: http
                    port: %d
                """.formatted(dnsName, port));
    }

    /**
     * A multicluster.x-k8s.io/v1alpha1 ServiceExport (KEP-1645) of the Service {@code name} in this namespace:
     * that Service joins the cluster set, and Ingresses of every cluster exporting it route to all their endpoints.
     */
    public String serviceExport(String name) {
        return """
                apiVersion: multicluster.x-k8s.io/v1alpha1
                kind: ServiceExport
                metadata:
                  name: %s
                  namespace: %s
                """.formatted(name, namespace);
    }

    /** A Service in this namespace with {@code spec}'s lines (indented as spec's fields). */
    private String serviceYaml(String name, String spec) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: %s
                spec:
                """.formatted(name, namespace) + spec;
    }

    /** One HTTPIngressPath; {@code service} null gives a resource backend instead. */
    public record IngressPath(String pathType, String path, String service) {
    }

    public static IngressPath prefix(String path, String service) {
        return new IngressPath("Prefix", path, service);
    }

    public static IngressPath exact(String path, String service) {
        return new IngressPath("Exact", path, service);
    }

    public static IngressPath implementationSpecific(String path, String service) {
        return new IngressPath("ImplementationSpecific", path, service);
    }

    /** One IngressRule; {@code host} null for a rule without host. */
    public record Rule(String host, List<IngressPath> paths) {
        public Rule(String host, IngressPath... paths) {
            this(host, List.of(paths));
        }

        public Rule {
            paths = List.copyOf(paths);
        }
    }

    /** An Ingress routing host/path (Prefix) to the Service's port "http", in the default class. */
    public String ingress(String name, String host, String path, String service) {
        return ingress(name).rule(new Rule(host, prefix(path, service))).yaml();
    }

    /** An Ingress routing each of host/paths (Prefix) to the Service's port "http", in the default class. */
    public String ingress(String name, String host, List<String> paths, String service) {
        return ingress(name).rule(new Rule(host, paths.stream().map(p -> prefix(p, service)).toList())).yaml();
    }

    /** An Ingress serving {@code host} over TLS with the Secret, routing / (Prefix) to the Service. */
    public String tlsIngress(String name, String host, String secret, String service) {
        return ingress(name).tls(host, secret).rule(new Rule(host, prefix("/", service))).yaml();
    }

    /** An Ingress to fill in: no class (so the default class's), no rules yet. */
    public Ingress ingress(String name) {
        return new Ingress(name);
    }

    /** An Ingress being built: set what it needs, then {@link #yaml()}. For one thread. */
    public final class Ingress {
        private final String name;
        private final Map<String, String> annotations = new TreeMap<>();
        private final List<Rule> rules = new ArrayList<>();
        private final List<String> tls = new ArrayList<>();
        private String className;
        private String defaultBackend;
        private ServicePort port = ServicePort.HTTP;

        private Ingress(String name) {
            this.name = name;
        }

        /** spec.ingressClassName. */
        public Ingress className(String ingressClassName) {
            this.className = ingressClassName;
            return this;
        }

        /** An annotation, such as the legacy kubernetes.io/ingress.class or a backend TLS setting. */
        public Ingress annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        /** spec.defaultBackend, a Service. */
        public Ingress defaultBackend(String service) {
            this.defaultBackend = service;
            return this;
        }

        /** The Service port every backend of this Ingress names (default "http"). */
        public Ingress port(ServicePort servicePort) {
            this.port = servicePort;
            return this;
        }

        public Ingress rule(Rule rule) {
            rules.add(rule);
            return this;
        }

        public Ingress rules(List<Rule> more) {
            rules.addAll(more);
            return this;
        }

        /** A spec.tls entry: {@code host} is served with the kubernetes.io/tls Secret. */
        public Ingress tls(String host, String secret) {
            tls.add("  - hosts: [%s]\n    secretName: %s\n".formatted(host, secret));
            return this;
        }

        public String yaml() {
            StringBuilder b = new StringBuilder("""
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata:
                      name: %s
                      namespace: %s
                    """.formatted(name, namespace));
            if (!annotations.isEmpty()) {
                b.append("  annotations:\n");
                annotations.forEach((k, v) -> b.append("    ").append(k).append(": \"")
                        .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append("\"\n"));
            }
            b.append("spec:\n");
            if (className != null) {
                b.append("  ingressClassName: ").append(className).append('\n');
            }
            if (!tls.isEmpty()) {
                b.append("  tls:\n");
                tls.forEach(b::append);
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
                    // Quoted: a regular-expression path (use-regex) may hold characters YAML reads otherwise.
                    b.append("      - path: \"").append(p.path().replace("\\", "\\\\").replace("\"", "\\\""))
                            .append("\"\n");
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

        private String serviceBackend(String service, String indent) {
            return indent + "service:\n" + indent + "  name: " + service + "\n" + indent + "  port:\n"
                    + indent + "    name: " + port.name() + "\n";
        }
    }

    /** A kubernetes.io/tls Secret holding these PEM texts; {@code caPem} (ca.crt) is left out when null. */
    public String tlsSecret(String name, String certPem, String keyPem, String caPem) {
        Base64.Encoder b64 = Base64.getEncoder();
        StringBuilder data = new StringBuilder();
        if (caPem != null) {
            data.append("  ca.crt: ").append(b64.encodeToString(caPem.getBytes(StandardCharsets.US_ASCII))).append('\n');
        }
        data.append("  tls.crt: ").append(b64.encodeToString(certPem.getBytes(StandardCharsets.US_ASCII))).append('\n');
        data.append("  tls.key: ").append(b64.encodeToString(keyPem.getBytes(StandardCharsets.US_ASCII))).append('\n');
        return """
                apiVersion: v1
                kind: Secret
                type: kubernetes.io/tls
                metadata:
                  name: %s
                  namespace: %s
                data:
                """.formatted(name, namespace) + data;
    }

    /** An Opaque Secret with these keys and text values (base64 in data), e.g. an htpasswd file under "auth". */
    /** A ConfigMap of this namespace with {@code data}, each value a double-quoted scalar (JSON's escapes). */
    public String configMap(String name, java.util.Map<String, String> data) {
        StringBuilder lines = new StringBuilder();
        new java.util.TreeMap<>(data).forEach((k, v) -> lines.append("  ").append(k).append(": \"")
                .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n"))
                .append("\"\n"));
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                  namespace: %s
                data:
                """.formatted(name, namespace) + (data.isEmpty() ? "  {}\n" : lines);
    }

    public String opaqueSecret(String name, java.util.Map<String, String> entries) {
        Base64.Encoder b64 = Base64.getEncoder();
        StringBuilder data = new StringBuilder();
        new java.util.TreeMap<>(entries).forEach((k, v) -> data.append("  ").append(k).append(": ")
                .append(b64.encodeToString(v.getBytes(StandardCharsets.UTF_8))).append('\n'));
        return """
                apiVersion: v1
                kind: Secret
                type: Opaque
                metadata:
                  name: %s
                  namespace: %s
                data:
                """.formatted(name, namespace) + data;
    }

    /**
     * A kubeconfig for the API server at {@code serverUrl} (the tests' mock: certificate not verified, a
     * dummy token) whose current context's namespace is this one.
     */
    public String kubeconfig(String serverUrl) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: mock
                    namespace: %s
                current-context: mock
                users:
                - name: mock
                  user:
                    token: mock-token
                """.formatted(serverUrl, namespace);
    }
}
