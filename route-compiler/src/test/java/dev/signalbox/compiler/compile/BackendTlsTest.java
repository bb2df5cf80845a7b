package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.testing.TestCerts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backend TLS annotations in, the backends' TLS settings and diagnostics out: one case a row, one
 * assertEquals on the whole table. The Service "web" in namespace "ns" has port 443 named https.
 */
class BackendTlsTest {
    private static final TestCerts.Cert CA = TestCerts.ca("backend-ca");
    private static final String CLIENT_CERT = TestCerts.issuedBy(CA, "proxy.signalbox").certPem();
    private static final List<Endpoint> EPS = List.of(ep("10.0.0.1", 8443));

    private static List<ClusterEvent> web(ClusterEvent... more) {
        return Stream.concat(Stream.of(ourClass(false),
                service("ns", "web", port("https", 443, "8443")),
                slice("ns", "web-abc", "web", slicePort("https", 8443), ready("10.0.0.1"))), Stream.of(more)).toList();
    }

    private static ClusterEvent secret(String name, String ca, String cert, boolean key, String notPublished) {
        return upsert(Kind.SECRET, "ns", name, new TlsSecretState(cert, key ? SEALED : null, ca, notPublished));
    }

    /** Ingress {@code name} created at second {@code created}: host {@code host}, path / to web:443. */
    private static ClusterEvent ing(String name, int created, String host, Map<String, String> annotations) {
        return upsert(Kind.INGRESS, "ns", name, new IngressState("signalbox", annotations, Instant.ofEpochSecond(created),
                null, List.of(), List.of(rule(host, path("/", "Prefix", svc("web", 443))))));
    }

    private static Backend over(UpstreamTls tls) {
        return new Backend(Backend.idOf(C, "ns", "web", "443", tls), C, "ns", "web", "443", EPS, null, tls);
    }

    private static Backend http2(UpstreamTls tls) {
        return new Backend(Backend.idOf(C, "ns", "web", "443", tls, Backend.HTTP2), C, "ns", "web", "443", EPS, null, tls,
                Backend.HTTP2);
    }

    private static Backend broken(UpstreamTls tls, String problem) {
        return new Backend(Backend.idOf(C, "ns", "web", "443", tls), C, "ns", "web", "443", List.of(),
                "HTTPS to the backend is not set up: " + problem, tls);
    }

    /** One Ingress "a" routing foo.com/ to {@code backend}, with {@code diagnostics}. */
    private static RoutingTable routed(Backend backend, Diagnostic... diagnostics) {
        return new RoutingTable(List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, backend.id(), "ns/a")))),
                null, List.of(backend), List.of(), List.of("c1/ns/a"), List.of(diagnostics));
    }

    private static Diagnostic brokenDiagnostic(String problem) {
        return error("ns", "a", "backend TLS: " + problem + "; its Service backends answer 503");
    }

    private static final String SECRET = "c1/ns/backend-tls";

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    static Stream<Arguments> cases() {
        UpstreamTls mtls = new UpstreamTls("web.ns.svc", true, SECRET, CA.certPem(), CLIENT_CERT, SEALED);
        UpstreamTls unverified = new UpstreamTls("web.ns.svc", false, null, null, null, null);
        return Stream.of(
                row("HTTPS with a Secret verifies the backend against its ca.crt as web.ns.svc and presents its tls.crt",
                        web(secret("backend-tls", CA.certPem(), CLIENT_CERT, true, null),
                                ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                        "signalbox.dev/backend-tls-secret", "backend-tls"))),
                        routed(over(mtls))),

                row("HTTPS without a Secret encrypts without verifying",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "https"))),
                        routed(over(unverified))),

                row("a Secret with only ca.crt verifies without a client certificate, and the server name annotation wins",
                        web(secret("backend-tls", CA.certPem(), "", false, null),
                                ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                        "signalbox.dev/backend-tls-secret", "ns/backend-tls",
                                        "signalbox.dev/backend-tls-server-name", "Web.Internal.Example"))),
                        routed(over(new UpstreamTls("web.internal.example", true, SECRET, CA.certPem(), null, null)))),

                row("verification can be turned off while the client certificate is still presented",
                        web(secret("backend-tls", CA.certPem(), CLIENT_CERT, true, null),
                                ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                        "signalbox.dev/backend-tls-secret", "backend-tls",
                                        "signalbox.dev/backend-tls-verify", "false"))),
                        routed(over(new UpstreamTls("web.ns.svc", false, SECRET, null, CLIENT_CERT, SEALED)))),

                row("ingress-nginx's proxy-ssl-secret presents the client certificate without verifying, as ingress-nginx does by default",
                        web(secret("backend-tls", CA.certPem(), CLIENT_CERT, true, null),
                                ing("a", 1, "foo.com", Map.of("nginx.ingress.kubernetes.io/backend-protocol", "HTTPS",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-secret", "ns/backend-tls"))),
                        routed(over(new UpstreamTls("web.ns.svc", false, SECRET, null, CLIENT_CERT, SEALED)))),

                row("ingress-nginx's proxy-ssl-verify on and proxy-ssl-name verify the backend under that name",
                        web(secret("backend-tls", CA.certPem(), CLIENT_CERT, true, null),
                                ing("a", 1, "foo.com", Map.of("nginx.ingress.kubernetes.io/backend-protocol", "HTTPS",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-secret", "ns/backend-tls",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-verify", "on",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-name", "web.example"))),
                        routed(over(new UpstreamTls("web.example", true, SECRET, CA.certPem(), CLIENT_CERT, SEALED)))),

                row("two Ingresses sending to the same Service port over HTTPS and plain HTTP get two backends",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS")),
                                ing("b", 2, "bar.com", Map.of())),
                        new RoutingTable(List.of(
                                new VirtualHost("bar.com", List.of(route("/", PREFIX, id("ns", "web", "443"), "ns/b"))),
                                new VirtualHost("foo.com", List.of(route("/", PREFIX, over(unverified).id(), "ns/a")))),
                                null, List.of(backend("ns", "web", "443", ep("10.0.0.1", 8443)), over(unverified)),
                                List.of(), List.of("c1/ns/a", "c1/ns/b"), List.of())),

                row("a missing Secret is an error and the route answers 503 instead of speaking plain HTTP",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                "signalbox.dev/backend-tls-secret", "gone"))),
                        routed(broken(unverified, "TLS secret ns/gone does not exist (or is not of type kubernetes.io/tls)"),
                                brokenDiagnostic("TLS secret ns/gone does not exist (or is not of type kubernetes.io/tls)"))),

                row("verification with a Secret that has no ca.crt is an error",
                        web(secret("backend-tls", null, CLIENT_CERT, true, null),
                                ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                        "signalbox.dev/backend-tls-secret", "backend-tls"))),
                        routed(broken(unverified, "TLS secret ns/backend-tls has no ca.crt to verify the backend with "
                                        + "(or set signalbox.dev/backend-tls-verify: \"false\")"),
                                brokenDiagnostic("TLS secret ns/backend-tls has no ca.crt to verify the backend with "
                                        + "(or set signalbox.dev/backend-tls-verify: \"false\")"))),

                row("verification without any Secret is an error",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                "signalbox.dev/backend-tls-verify", "true"))),
                        routed(broken(unverified, "verifying the backend needs a CA: name a kubernetes.io/tls Secret with "
                                        + "ca.crt in signalbox.dev/backend-tls-secret"),
                                brokenDiagnostic("verifying the backend needs a CA: name a kubernetes.io/tls Secret with "
                                        + "ca.crt in signalbox.dev/backend-tls-secret"))),

                row("a client certificate whose key the watcher did not publish is an error",
                        web(secret("backend-tls", CA.certPem(), CLIENT_CERT, false, "the watcher has no key-encryption key"),
                                ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                        "signalbox.dev/backend-tls-secret", "backend-tls"))),
                        routed(broken(unverified, "TLS secret ns/backend-tls: the watcher has no key-encryption key, so "
                                        + "there is no client certificate"),
                                brokenDiagnostic("TLS secret ns/backend-tls: the watcher has no key-encryption key, so "
                                        + "there is no client certificate"))),

                row("a Secret of another namespace is refused",
                        web(ing("a", 1, "foo.com", Map.of("nginx.ingress.kubernetes.io/backend-protocol", "HTTPS",
                                "nginx.ingress.kubernetes.io/proxy-ssl-secret", "kube-system/admin-client"))),
                        routed(broken(unverified, "nginx.ingress.kubernetes.io/proxy-ssl-secret: secret "
                                        + "kube-system/admin-client is in another namespace; an Ingress may only use Secrets "
                                        + "of its own namespace (ns)"),
                                brokenDiagnostic("nginx.ingress.kubernetes.io/proxy-ssl-secret: secret "
                                        + "kube-system/admin-client is in another namespace; an Ingress may only use Secrets "
                                        + "of its own namespace (ns)"))),

                row("a backend protocol Signalbox does not speak (AJP) is an error",
                        web(ing("a", 1, "foo.com", Map.of("nginx.ingress.kubernetes.io/backend-protocol", "AJP"))),
                        routed(broken(unverified, "nginx.ingress.kubernetes.io/backend-protocol: \"AJP\" is not "
                                        + "supported (HTTP, HTTPS, GRPC, GRPCS or H2C)"),
                                brokenDiagnostic("nginx.ingress.kubernetes.io/backend-protocol: \"AJP\" is not "
                                        + "supported (HTTP, HTTPS, GRPC, GRPCS or H2C)"))),

                row("GRPC is HTTP/2 without TLS, under an id of its own",
                        web(ing("a", 1, "foo.com", Map.of("nginx.ingress.kubernetes.io/backend-protocol", "GRPC"))),
                        routed(http2(null))),

                row("H2C is HTTP/2 without TLS, as GRPC",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "h2c"))),
                        routed(http2(null))),

                row("GRPCS is HTTP/2 over TLS with the backend TLS settings",
                        web(secret("backend-tls", CA.certPem(), CLIENT_CERT, true, null),
                                ing("a", 1, "foo.com", Map.of("nginx.ingress.kubernetes.io/backend-protocol", "GRPCS",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-secret", "ns/backend-tls",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-verify", "on"))),
                        routed(http2(mtls))),

                row("GRPCS with TLS settings that cannot be honoured answers 503, never plain HTTP/2",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "GRPCS",
                                "signalbox.dev/backend-tls-verify", "true"))),
                        routed(new Backend(Backend.idOf(C, "ns", "web", "443", unverified, Backend.HTTP2), C, "ns", "web",
                                        "443", List.of(), "HTTPS to the backend is not set up: verifying the backend needs a"
                                        + " CA: name a kubernetes.io/tls Secret with ca.crt in signalbox.dev/backend-tls-secret",
                                        unverified, Backend.HTTP2),
                                brokenDiagnostic("verifying the backend needs a CA: name a kubernetes.io/tls Secret with "
                                        + "ca.crt in signalbox.dev/backend-tls-secret"))),

                row("backend TLS annotations with GRPC (no TLS) are ignored with a warning",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "GRPC",
                                "signalbox.dev/backend-tls-secret", "backend-tls"))),
                        routed(http2(null),
                                warning("ns", "a", "annotations [signalbox.dev/backend-tls-secret] ignored: the backend "
                                        + "protocol is not HTTPS or GRPCS (set signalbox.dev/backend-protocol: \"HTTPS\")"))),

                row("backend TLS annotations without the HTTPS protocol are ignored with a warning",
                        web(ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-tls-secret", "backend-tls"))),
                        routed(backend("ns", "web", "443", ep("10.0.0.1", 8443)),
                                warning("ns", "a", "annotations [signalbox.dev/backend-tls-secret] ignored: the backend "
                                        + "protocol is not HTTPS or GRPCS (set signalbox.dev/backend-protocol: \"HTTPS\")"))),

                row("an ExternalName Service is verified under its DNS name",
                        List.of(ourClass(false),
                                upsert(Kind.SERVICE, "ns", "web", new ServiceState("ExternalName", "API.example.net.",
                                        List.of(port("https", 443, null)))),
                                secret("backend-tls", CA.certPem(), "", false, null),
                                ing("a", 1, "foo.com", Map.of("signalbox.dev/backend-protocol", "HTTPS",
                                        "signalbox.dev/backend-tls-secret", "backend-tls"))),
                        routed(new Backend(Backend.idOf(C, "ns", "web", "443",
                                new UpstreamTls("api.example.net", true, SECRET, CA.certPem(), null, null)),
                                C, "ns", "web", "443", List.of(ep("API.example.net.", 443)), null,
                                new UpstreamTls("api.example.net", true, SECRET, CA.certPem(), null, null))))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
