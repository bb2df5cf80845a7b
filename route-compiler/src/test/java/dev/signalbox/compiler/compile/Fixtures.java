package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.IngressState.BackendRef;
import dev.signalbox.schemas.event.IngressState.PathRule;
import dev.signalbox.schemas.event.IngressState.Rule;
import dev.signalbox.schemas.event.IngressState.ServiceRef;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.testing.TestCerts;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Small builders for compiler test tables: events in, expected table parts out. Cluster "c1". */
final class Fixtures {
    static final String C = "c1";

    private Fixtures() {
    }

    static ClusterEvent upsert(Kind kind, String ns, String name, ObjectState state) {
        return ClusterEvent.upsert(new ObjectKey(C, kind, ns, name), "uid-" + name, "1", Instant.EPOCH, 1, state);
    }

    static ClusterEvent ourClass(boolean isDefault) {
        return upsert(Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState(IngressClasses.CONTROLLER, isDefault));
    }

    static ClusterEvent otherClass(String name, boolean isDefault) {
        return upsert(Kind.INGRESS_CLASS, "", name, new IngressClassState("k8s.io/ingress-nginx", isDefault));
    }

    static ClusterEvent service(String ns, String name, ServiceState.Port... ports) {
        return upsert(Kind.SERVICE, ns, name, new ServiceState("ClusterIP", null, List.of(ports)));
    }

    static ServiceState.Port port(String name, int port, String target) {
        return new ServiceState.Port(name, port, target, "TCP");
    }

    static ClusterEvent slice(String ns, String name, String service, EndpointSliceState.Port port,
                              EndpointSliceState.Endpoint... endpoints) {
        return upsert(Kind.ENDPOINT_SLICE, ns, name,
                new EndpointSliceState(service, "IPv4", List.of(port), List.of(endpoints)));
    }

    static EndpointSliceState.Port slicePort(String name, int port) {
        return new EndpointSliceState.Port(name, port, "TCP");
    }

    static EndpointSliceState.Endpoint ready(String... addresses) {
        return new EndpointSliceState.Endpoint(Arrays.asList(addresses), true, true, false);
    }

    static EndpointSliceState.Endpoint notReady(String... addresses) {
        return new EndpointSliceState.Endpoint(Arrays.asList(addresses), false, false, false);
    }

    static EndpointSliceState.Endpoint terminatingServing(String... addresses) {
        return new EndpointSliceState.Endpoint(Arrays.asList(addresses), false, true, true);
    }

    /** What the compiler sees of a sealed key: opaque. It never opens one. */
    static final SealedKey SEALED = new SealedKey("k1", KeyRing.ALGORITHM, "AAAAAAAAAAAAAAAA", "c2VhbGVk");

    /** Certificates for foo.com and its one-label wildcard, and for bar.com. */
    static final String FOO_CERT = TestCerts.selfSigned("foo.com", "*.foo.com").certPem();
    static final String BAR_CERT = TestCerts.selfSigned("bar.com").certPem();

    static ClusterEvent tlsSecret(String ns, String name, String cert) {
        return upsert(Kind.SECRET, ns, name, new TlsSecretState(cert, SEALED, null, null));
    }

    static ClusterEvent tlsSecretWithoutKey(String ns, String name, String cert, String whyNotPublished) {
        return upsert(Kind.SECRET, ns, name, new TlsSecretState(cert, null, null, whyNotPublished));
    }

    static BackendRef svc(String name, int port) {
        return new BackendRef(new ServiceRef(name, port, null), null);
    }

    static BackendRef svcNamed(String name, String port) {
        return new BackendRef(new ServiceRef(name, null, port), null);
    }

    static PathRule path(String path, String type, BackendRef backend) {
        return new PathRule(path, type, backend);
    }

    static Rule rule(String host, PathRule... paths) {
        return new Rule(host, List.of(paths));
    }

    /** An Ingress of class "signalbox" created at second {@code created}. */
    static ClusterEvent ingress(String ns, String name, int created, Rule... rules) {
        return ingress(ns, name, "signalbox", created, null, List.of(), rules);
    }

    static ClusterEvent ingress(String ns, String name, String className, int created, BackendRef defaultBackend,
                                List<IngressState.TlsEntry> tls, Rule... rules) {
        return upsert(Kind.INGRESS, ns, name, new IngressState(className, Map.of(),
                Instant.ofEpochSecond(created), defaultBackend, tls, List.of(rules)));
    }

    /** An Ingress of class "signalbox" created at second {@code created}, with annotations. */
    static ClusterEvent annotated(String ns, String name, int created, Map<String, String> annotations, Rule... rules) {
        return upsert(Kind.INGRESS, ns, name, new IngressState("signalbox", annotations, Instant.ofEpochSecond(created),
                null, List.of(), List.of(rules)));
    }

    static ClusterEvent legacyIngress(String ns, String name, String annotationClass, Rule... rules) {
        return upsert(Kind.INGRESS, ns, name, new IngressState(null, Map.of("kubernetes.io/ingress.class", annotationClass),
                Instant.EPOCH, null, List.of(), List.of(rules)));
    }

    static Route route(String path, PathMatch match, String backendId, String ingress) {
        return new Route(path, match, backendId, C + "/" + ingress);
    }

    static Backend backend(String ns, String service, String port, Endpoint... endpoints) {
        return new Backend(Backend.idOf(C, ns, service, port), C, ns, service, port, List.of(endpoints), null);
    }

    static Backend unavailable(String ns, String service, String port, String reason) {
        return new Backend(Backend.idOf(C, ns, service, port), C, ns, service, port, List.of(), reason);
    }

    static String id(String ns, String service, String port) {
        return Backend.idOf(C, ns, service, port);
    }

    static Endpoint ep(String address, int port) {
        return new Endpoint(address, port);
    }

    /** The backend of {@link #withWeb}'s Service: ns/web port 80, two ready endpoints on 8080. */
    static final Backend WEB80 = backend("ns", "web", "80", ep("10.0.0.1", 8080), ep("10.0.0.2", 8080));
    static final String WEB = id("ns", "web", "80");

    /** Our class, the Service ns/web (port 80 to 8080) with two ready endpoints, and {@code ingresses}. */
    static List<ClusterEvent> withWeb(ClusterEvent... ingresses) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(ourClass(false),
                        service("ns", "web", port("http", 80, "8080")),
                        slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.2", "10.0.0.1"))),
                java.util.stream.Stream.of(ingresses)).toList();
    }

    static Diagnostic error(String ns, String name, String message) {
        return new Diagnostic(C, "Ingress", ns, name, Diagnostic.Severity.ERROR, message);
    }

    static Diagnostic warning(String ns, String name, String message) {
        return new Diagnostic(C, "Ingress", ns, name, Diagnostic.Severity.WARNING, message);
    }

    static ClusterModel model(List<ClusterEvent> events) {
        ClusterModel m = new ClusterModel();
        events.forEach(m::apply);
        return m;
    }
}
