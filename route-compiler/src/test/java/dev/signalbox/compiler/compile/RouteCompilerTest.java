package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.IngressState.TlsEntry;
import dev.signalbox.schemas.event.IngressState.BackendRef;
import dev.signalbox.schemas.event.IngressState.ResourceRef;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.signalbox.schemas.snapshot.PathMatch.EXACT;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;

/** Objects in, routing table and diagnostics out: one case a row, one assertEquals on the whole table. */
class RouteCompilerTest {

    /** The web Service in namespace "ns": port 80 named http, two ready endpoints on 8080. */
    private static List<ClusterEvent> web() {
        return List.of(ourClass(false),
                service("ns", "web", port("http", 80, "8080")),
                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.2", "10.0.0.1")));
    }

    private static List<ClusterEvent> with(List<ClusterEvent> base, ClusterEvent... more) {
        return Stream.concat(base.stream(), Stream.of(more)).toList();
    }

    private static ClusterEvent upsert2(String cluster, dev.signalbox.schemas.event.Kind kind, String ns, String name,
                                        dev.signalbox.schemas.event.ObjectState state) {
        return ClusterEvent.upsert(new dev.signalbox.schemas.event.ObjectKey(cluster, kind, ns, name), "u", "1",
                java.time.Instant.EPOCH, 1, state);
    }

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    private static RoutingTable table(List<String> ingresses, List<VirtualHost> hosts, String defaultBackend, List<dev.signalbox.schemas.snapshot.Backend> backends,
                                      List<TlsBinding> tls, List<Diagnostic> diagnostics) {
        return new RoutingTable(hosts, defaultBackend, backends, tls,
                ingresses.stream().map(i -> "c1/" + i).toList(), diagnostics);
    }

    private static final dev.signalbox.schemas.snapshot.Backend WEB80 =
            backend("ns", "web", "80", ep("10.0.0.1", 8080), ep("10.0.0.2", 8080));

    static Stream<Arguments> cases() {
        return Stream.of(
                row("no objects give an empty table", List.of(), RoutingTable.EMPTY),

                row("an Ingress with one host and one Prefix path routes to the ready endpoints of its Service",
                        with(web(), ingress("ns", "a", 1, rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("routes are ordered longest path first, then Exact before Prefix",
                        with(web(), ingress("ns", "a", 1, rule("foo.com",
                                path("/", "Prefix", svc("web", 80)),
                                path("/foo", "Prefix", svc("web", 80)),
                                path("/foo", "Exact", svc("web", 80)),
                                path("/foo/bar", "ImplementationSpecific", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(
                                        route("/foo/bar", PREFIX, id("ns", "web", "80"), "ns/a"),
                                        route("/foo", EXACT, id("ns", "web", "80"), "ns/a"),
                                        route("/foo", PREFIX, id("ns", "web", "80"), "ns/a"),
                                        route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("exact hosts come before wildcards, and rules without a host come last under *",
                        with(web(), ingress("ns", "a", 1,
                                rule(null, path("/", "Prefix", svc("web", 80))),
                                rule("*.Foo.com", path("/", "Prefix", svc("web", 80))),
                                rule("BAR.foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(
                                        new VirtualHost("bar.foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a"))),
                                        new VirtualHost("*.foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a"))),
                                        new VirtualHost("*", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("two Ingresses for one host are merged",
                        with(web(),
                                ingress("ns", "a", 1, rule("foo.com", path("/a", "Prefix", svc("web", 80)))),
                                ingress("ns", "b", 2, rule("foo.com", path("/b", "Exact", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(new VirtualHost("foo.com", List.of(
                                        route("/b", EXACT, id("ns", "web", "80"), "ns/b"),
                                        route("/a", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("when two Ingresses claim the same host and Prefix path the older wins, a trailing slash making no difference",
                        with(web(),
                                ingress("ns", "new", 5, rule("foo.com", path("/app", "Prefix", svc("web", 80)))),
                                ingress("ns", "old", 1, rule("foo.com", path("/app/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/new", "ns/old"), List.of(new VirtualHost("foo.com", List.of(route("/app/", PREFIX, id("ns", "web", "80"), "ns/old")))),
                                null, List.of(WEB80), List.of(),
                                List.of(warning("ns", "new", "path \"/app\" of host foo.com (Prefix) is already routed by the "
                                        + "older Ingress ns/old in cluster c1; this path is ignored")))),

                row("an Ingress of another controller's class is ignored",
                        with(web(), otherClass("nginx", false),
                                ingress("ns", "a", "nginx", 1, null, List.of(), rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        RoutingTable.EMPTY),

                row("an Ingress without a class is ignored when our class is not the default",
                        with(web(), ingress("ns", "a", null, 1, null, List.of(), rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        RoutingTable.EMPTY),

                row("an Ingress without a class is ours when our class is the default",
                        List.of(ourClass(true), service("ns", "web", port("http", 80, "8080")),
                                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.2", "10.0.0.1")),
                                ingress("ns", "a", null, 1, null, List.of(), rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("the legacy kubernetes.io/ingress.class annotation naming our class selects the Ingress",
                        with(web(), legacyIngress("ns", "a", "signalbox", rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("the older of two default backends wins and the other gets a warning",
                        with(web(),
                                ingress("ns", "b", "signalbox", 2, svc("web", 80), List.of()),
                                ingress("ns", "a", "signalbox", 1, svcNamed("web", "http"), List.of())),
                        table(List.of("ns/a", "ns/b"), List.of(), id("ns", "web", "http"),
                                List.of(backend("ns", "web", "http", ep("10.0.0.1", 8080), ep("10.0.0.2", 8080))), List.of(),
                                List.of(warning("ns", "b", "defaultBackend ignored: the older Ingress ns/a in cluster c1 "
                                        + "already sets the default backend")))),

                row("a named Service port resolves to the EndpointSlice port of the same name across several slices",
                        List.of(ourClass(false),
                                service("ns", "api", port("grpc", 9000, "grpc"), port("web", 80, "http")),
                                slice("ns", "api-1", "api", slicePort("web", 8080), ready("10.0.1.1")),
                                slice("ns", "api-2", "api", slicePort("web", 8080), ready("10.0.1.2"), notReady("10.0.1.3")),
                                slice("ns", "api-3", "api", slicePort("grpc", 9090), ready("10.0.1.9")),
                                ingress("ns", "a", 1, rule("foo.com", path("/", "Prefix", svcNamed("api", "web"))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "api", "web"), "ns/a")))),
                                null, List.of(backend("ns", "api", "web", ep("10.0.1.1", 8080), ep("10.0.1.2", 8080))),
                                List.of(), List.of())),

                row("serving endpoints that terminate are used only when no endpoint is ready",
                        List.of(ourClass(false),
                                service("ns", "web", port("http", 80, "8080")),
                                slice("ns", "web-1", "web", slicePort("http", 8080), terminatingServing("10.0.0.7"), notReady("10.0.0.8")),
                                ingress("ns", "a", 1, rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(backend("ns", "web", "80", ep("10.0.0.7", 8080))), List.of(), List.of())),

                row("a Service without ready endpoints gives a backend that answers 503 with the reason",
                        List.of(ourClass(false),
                                service("ns", "web", port("http", 80, "8080")),
                                ingress("ns", "a", 1, rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(unavailable("ns", "web", "80", "no ready endpoints for service ns/web port 80")),
                                List.of(), List.of())),

                row("a missing Service or port is an error on the Ingress and the other routes still compile",
                        with(web(), ingress("ns", "a", 1, rule("foo.com",
                                path("/ok", "Prefix", svc("web", 80)),
                                path("/gone", "Prefix", svc("nosuch", 80)),
                                path("/badport", "Prefix", svc("web", 81))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(
                                        route("/badport", PREFIX, id("ns", "web", "81"), "ns/a"),
                                        route("/gone", PREFIX, id("ns", "nosuch", "80"), "ns/a"),
                                        route("/ok", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(
                                        unavailable("ns", "nosuch", "80", "service ns/nosuch does not exist"),
                                        WEB80,
                                        unavailable("ns", "web", "81", "service ns/web has no port 81")),
                                List.of(), List.of(
                                        error("ns", "a", "service ns/nosuch does not exist"),
                                        error("ns", "a", "service ns/web has no port 81")))),

                row("a resource backend, an invalid pathType, a relative path and an invalid host are left out with errors",
                        with(web(), ingress("ns", "a", 1,
                                rule("foo.com",
                                        path("/ok", "Prefix", svc("web", 80)),
                                        path("/bucket", "Prefix", new BackendRef(null, new ResourceRef("k8s.example.com", "StorageBucket", "b"))),
                                        path("/typo", "Prefixx", svc("web", 80)),
                                        path("relative", "Exact", svc("web", 80))),
                                rule("bad_host!", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/ok", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of(
                                        error("ns", "a", "host foo.com: path \"relative\" does not start with '/'; path ignored"),
                                        error("ns", "a", "path \"/bucket\" of host foo.com: resource backends (StorageBucket b) "
                                                + "are not supported by Signalbox; ignored"),
                                        error("ns", "a", "path \"/typo\" of host foo.com: pathType \"Prefixx\" is not Exact, "
                                                + "Prefix or ImplementationSpecific; path ignored"),
                                        error("ns", "a", "rule host \"bad_host!\" is not a valid host name or one-label "
                                                + "wildcard (*.example.com); rule ignored")))),

                row("TLS binds each listed host to the Secret's certificate, and a missing Secret is an error",
                        with(web(), tlsSecret("ns", "foo-cert", FOO_CERT),
                                ingress("ns", "a", "signalbox", 1, null,
                                        List.of(new TlsEntry(List.of("Foo.com", "*.foo.com"), "foo-cert"),
                                                new TlsEntry(List.of("bar.com"), "missing")),
                                        rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(new dev.signalbox.schemas.snapshot.Route("/", PREFIX,
                                        id("ns", "web", "80"), "c1/ns/a", true)))),
                                null, List.of(WEB80),
                                List.of(new TlsBinding("*.foo.com", "c1/ns/foo-cert", FOO_CERT, SEALED),
                                        new TlsBinding("foo.com", "c1/ns/foo-cert", FOO_CERT, SEALED)),
                                List.of(error("ns", "a", "TLS secret ns/missing does not exist (or is not of type "
                                        + "kubernetes.io/tls); [bar.com] served with the default certificate")))),

                row("a certificate that does not cover a TLS host leaves that host on the default certificate",
                        with(web(), tlsSecret("ns", "bar-cert", BAR_CERT),
                                ingress("ns", "a", "signalbox", 1, null,
                                        List.of(new TlsEntry(List.of("bar.com", "www.bar.com"), "bar-cert")),
                                        rule("bar.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("bar.com", List.of(new dev.signalbox.schemas.snapshot.Route("/", PREFIX,
                                        id("ns", "web", "80"), "c1/ns/a", true)))),
                                null, List.of(WEB80), List.of(new TlsBinding("bar.com", "c1/ns/bar-cert", BAR_CERT, SEALED)),
                                List.of(error("ns", "a", "TLS secret ns/bar-cert: the certificate does not cover host "
                                        + "www.bar.com (it names [bar.com]); served with the default certificate")))),

                row("a tls.crt that does not parse is an error and binds nothing",
                        with(web(), tlsSecret("ns", "junk", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"),
                                ingress("ns", "a", "signalbox", 1, null, List.of(new TlsEntry(List.of("foo.com"), "junk")),
                                        rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(new dev.signalbox.schemas.snapshot.Route("/", PREFIX,
                                        id("ns", "web", "80"), "c1/ns/a", true)))),
                                null, List.of(WEB80), List.of(),
                                List.of(error("ns", "a", "TLS secret ns/junk: tls.crt does not parse (it holds no PEM "
                                        + "X.509 certificate); [foo.com] served with the default certificate")))),

                row("a Secret whose key the watcher could not seal says why and binds nothing",
                        with(web(), tlsSecretWithoutKey("ns", "foo-cert", FOO_CERT, "the watcher has no key-encryption key"),
                                ingress("ns", "a", "signalbox", 1, null, List.of(new TlsEntry(List.of("foo.com"), "foo-cert")),
                                        rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(new dev.signalbox.schemas.snapshot.Route("/", PREFIX,
                                        id("ns", "web", "80"), "c1/ns/a", true)))),
                                null, List.of(WEB80), List.of(),
                                List.of(error("ns", "a", "TLS secret ns/foo-cert: the watcher has no key-encryption key; "
                                        + "[foo.com] served with the default certificate")))),

                row("an Ingress the watcher could not publish whole is not routed, says why, and the others are served",
                        with(web(), upsert(dev.signalbox.schemas.event.Kind.INGRESS, "ns", "huge",
                                        new dev.signalbox.schemas.event.RejectedState(dev.signalbox.schemas.event.Kind.INGRESS,
                                                "the event would be 2,100,000 bytes, over the 921,600 byte limit")),
                                ingress("ns", "a", 1, rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of(error("ns", "huge",
                                        "the event would be 2,100,000 bytes, over the 921,600 byte limit; not routed")))),

                row("two IngressClasses of ours may both select Ingresses",
                        with(web(), upsert(dev.signalbox.schemas.event.Kind.INGRESS_CLASS, "", "signalbox-internal",
                                        new dev.signalbox.schemas.event.IngressClassState(IngressClasses.CONTROLLER, false)),
                                ingress("ns", "a", "signalbox-internal", 1, null, List.of(),
                                        rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("with two default classes both get a warning and class-less Ingresses are still ours",
                        List.of(ourClass(true), otherClass("nginx", true), service("ns", "web", port("http", 80, "8080")),
                                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.2", "10.0.0.1")),
                                ingress("ns", "a", null, 1, null, List.of(), rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of(
                                        new Diagnostic("c1", "IngressClass", "", "nginx", Diagnostic.Severity.WARNING,
                                                "more than one IngressClass is marked default ([nginx, signalbox]); Ingresses "
                                                        + "without a class are taken by every controller whose class is default"),
                                        new Diagnostic("c1", "IngressClass", "", "signalbox", Diagnostic.Severity.WARNING,
                                                "more than one IngressClass is marked default ([nginx, signalbox]); Ingresses "
                                                        + "without a class are taken by every controller whose class is default")))),

                row("IPv6 endpoints of hand-written EndpointSlices of a Service without selector are used",
                        List.of(ourClass(false),
                                service("ns", "v6", port("", 80, "8080")),
                                upsert(dev.signalbox.schemas.event.Kind.ENDPOINT_SLICE, "ns", "v6-manual",
                                        new dev.signalbox.schemas.event.EndpointSliceState("v6", "IPv6",
                                                List.of(slicePort(null, 8080)), List.of(ready("fd00::2", "fd00::1")))),
                                ingress("ns", "a", 1, rule("foo.com", path("/", "Prefix", svc("v6", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "v6", "80"), "ns/a")))),
                                null, List.of(backend("ns", "v6", "80", ep("fd00::1", 8080), ep("fd00::2", 8080))), List.of(), List.of())),

                row("an Ingress routes only to Services of its own cluster",
                        with(web(), upsert2("c2", dev.signalbox.schemas.event.Kind.INGRESS_CLASS, "", "signalbox",
                                        new dev.signalbox.schemas.event.IngressClassState(IngressClasses.CONTROLLER, false)),
                                upsert2("c2", dev.signalbox.schemas.event.Kind.INGRESS, "ns", "a",
                                        new dev.signalbox.schemas.event.IngressState("signalbox", java.util.Map.of(), java.time.Instant.EPOCH,
                                                null, List.of(), List.of(rule("bar.com", path("/", "Prefix", svc("web", 80))))))),
                        new RoutingTable(List.of(new VirtualHost("bar.com", List.of(new dev.signalbox.schemas.snapshot.Route("/", PREFIX,
                                        dev.signalbox.schemas.snapshot.Backend.idOf("c2", "ns", "web", "80"), "c2/ns/a")))),
                                null, List.of(new dev.signalbox.schemas.snapshot.Backend(dev.signalbox.schemas.snapshot.Backend.idOf("c2", "ns", "web", "80"),
                                        "c2", "ns", "web", "80", List.of(), "service ns/web does not exist")),
                                List.of(), List.of("c2/ns/a"), List.of(new Diagnostic("c2", "Ingress", "ns", "a",
                                        Diagnostic.Severity.ERROR, "service ns/web does not exist")))),

                row("the signalbox.dev/ssl-redirect annotation set to false keeps plain HTTP for TLS hosts",
                        with(web(), tlsSecret("ns", "foo-cert", FOO_CERT),
                                upsert(dev.signalbox.schemas.event.Kind.INGRESS, "ns", "a", new dev.signalbox.schemas.event.IngressState(
                                        "signalbox", java.util.Map.of("signalbox.dev/ssl-redirect", "false"), java.time.Instant.EPOCH, null,
                                        List.of(new TlsEntry(List.of("foo.com"), "foo-cert")),
                                        List.of(rule("foo.com", path("/", "Prefix", svc("web", 80))))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(new TlsBinding("foo.com", "c1/ns/foo-cert", FOO_CERT, SEALED)), List.of())),

                row("a configuration-snippet refuses its Ingress with an error naming it, and the other Ingresses are still routed",
                        with(web(),
                                annotated("ns", "snippet", 1, java.util.Map.of("nginx.ingress.kubernetes.io/configuration-snippet",
                                        "more_set_headers \"X-Frame-Options: DENY\";"), rule("a.com", path("/", "Prefix", svc("web", 80)))),
                                ingress("ns", "b", 2, rule("b.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/b", "ns/snippet"), List.of(new VirtualHost("b.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/b")))),
                                null, List.of(WEB80), List.of(), List.of(error("ns", "snippet",
                                        "annotation nginx.ingress.kubernetes.io/configuration-snippet is refused: it injects raw nginx "
                                                + "configuration into the proxy (code injection, the IngressNightmare CVEs); Signalbox runs "
                                                + "no nginx and takes no configuration code from Ingresses: express the intent with a "
                                                + "supported annotation, or do it in the application; not routed")))),

                row("every refused annotation of an Ingress is named, in key order, and under either prefix",
                        with(web(), annotated("ns", "a", 1, java.util.Map.of(
                                        "signalbox.dev/server-snippet", "x", "nginx.ingress.kubernetes.io/auth-snippet", "y"),
                                rule("a.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(), null, List.of(), List.of(), List.of(
                                error("ns", "a", "annotation nginx.ingress.kubernetes.io/auth-snippet is refused: "
                                        + note("nginx.ingress.kubernetes.io/auth-snippet") + "; not routed"),
                                error("ns", "a", "annotation signalbox.dev/server-snippet is refused: "
                                        + note("signalbox.dev/server-snippet") + "; not routed")))),

                row("an unsupported ingress-nginx annotation is a warning naming it with the alternative, and the Ingress still routes",
                        with(web(), annotated("ns", "a", 1, java.util.Map.of(
                                        "nginx.ingress.kubernetes.io/preserve-trailing-slash", "true",
                                        "nginx.ingress.kubernetes.io/mirror-target", "http://mirror",
                                        "cert-manager.io/cluster-issuer", "letsencrypt"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of(
                                        warning("ns", "a", "annotation nginx.ingress.kubernetes.io/mirror-target is not supported by "
                                                + "Signalbox and is ignored: request mirroring is not supported; mirror in the "
                                                + "application or a mesh"),
                                        warning("ns", "a", "annotation nginx.ingress.kubernetes.io/preserve-trailing-slash is not supported by "
                                                + "Signalbox and is ignored: not supported yet (planned, issue 18); have the backend "
                                                + "serve the path the Ingress routes, or redirect in the application")))),

                row("force-ssl-redirect redirects every host of the Ingress to HTTPS, the catch-all too, without spec.tls",
                        with(web(), annotated("ns", "a", 1, java.util.Map.of("nginx.ingress.kubernetes.io/force-ssl-redirect", "true"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))), rule(null, path("/x", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(
                                        new VirtualHost("foo.com", List.of(new dev.signalbox.schemas.snapshot.Route("/", PREFIX,
                                                id("ns", "web", "80"), "c1/ns/a", true))),
                                        new VirtualHost("*", List.of(new dev.signalbox.schemas.snapshot.Route("/x", PREFIX,
                                                id("ns", "web", "80"), "c1/ns/a", true)))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("a force-ssl-redirect that is not true or false is an error and redirects nothing more",
                        with(web(), annotated("ns", "a", 1, java.util.Map.of("signalbox.dev/force-ssl-redirect", "yes"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of(error("ns", "a", "annotation signalbox.dev/force-ssl-redirect: "
                                        + "\"yes\" is not true or false; HTTP is redirected to HTTPS for its TLS hosts only")))),

                row("an unknown annotation under the ingress-nginx prefix (a typo) is a warning saying it is unknown",
                        with(web(), annotated("ns", "a", 1, java.util.Map.of("nginx.ingress.kubernetes.io/ssl-redirects", "false"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of(warning("ns", "a",
                                        "annotation nginx.ingress.kubernetes.io/ssl-redirects is unknown: not an annotation "
                                                + "ingress-nginx defines (a typo?); ignored")))),

                row("supported annotations give no diagnostic",
                        with(web(), annotated("ns", "a", 1, java.util.Map.of("nginx.ingress.kubernetes.io/backend-protocol", "HTTP",
                                        "nginx.ingress.kubernetes.io/ssl-redirect", "true"),
                                rule("foo.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(), List.of())),

                row("ingress-nginx's ssl-redirect set to false keeps plain HTTP for TLS hosts, and ours wins over it",
                        with(web(), tlsSecret("ns", "foo-cert", FOO_CERT),
                                upsert(dev.signalbox.schemas.event.Kind.INGRESS, "ns", "a", new dev.signalbox.schemas.event.IngressState(
                                        "signalbox", java.util.Map.of("nginx.ingress.kubernetes.io/ssl-redirect", "false"), java.time.Instant.EPOCH, null,
                                        List.of(new TlsEntry(List.of("foo.com"), "foo-cert")),
                                        List.of(rule("foo.com", path("/", "Prefix", svc("web", 80)))))),
                                upsert(dev.signalbox.schemas.event.Kind.INGRESS, "ns", "b", new dev.signalbox.schemas.event.IngressState(
                                        "signalbox", java.util.Map.of("nginx.ingress.kubernetes.io/ssl-redirect", "false",
                                                "signalbox.dev/ssl-redirect", "true"), java.time.Instant.EPOCH, null,
                                        List.of(new TlsEntry(List.of("foo.com"), "foo-cert")),
                                        List.of(rule("foo.com", path("/b", "Prefix", svc("web", 80))))))),
                        table(List.of("ns/a", "ns/b"), List.of(new VirtualHost("foo.com", List.of(
                                        new dev.signalbox.schemas.snapshot.Route("/b", PREFIX, id("ns", "web", "80"), "c1/ns/b", true),
                                        route("/", PREFIX, id("ns", "web", "80"), "ns/a")))),
                                null, List.of(WEB80), List.of(new TlsBinding("foo.com", "c1/ns/foo-cert", FOO_CERT, SEALED)), List.of())),

                row("a malformed ssl-redirect value is an error on that Ingress only, whose TLS hosts stay redirected",
                        with(web(), tlsSecret("ns", "foo-cert", FOO_CERT),
                                upsert(dev.signalbox.schemas.event.Kind.INGRESS, "ns", "a", new dev.signalbox.schemas.event.IngressState(
                                        "signalbox", java.util.Map.of("nginx.ingress.kubernetes.io/ssl-redirect", "no"), java.time.Instant.EPOCH, null,
                                        List.of(new TlsEntry(List.of("foo.com"), "foo-cert")),
                                        List.of(rule("foo.com", path("/", "Prefix", svc("web", 80)))))),
                                ingress("ns", "b", 2, rule("bar.com", path("/", "Prefix", svc("web", 80))))),
                        table(List.of("ns/a", "ns/b"), List.of(
                                        new VirtualHost("bar.com", List.of(route("/", PREFIX, id("ns", "web", "80"), "ns/b"))),
                                        new VirtualHost("foo.com", List.of(new dev.signalbox.schemas.snapshot.Route("/", PREFIX,
                                                id("ns", "web", "80"), "c1/ns/a", true)))),
                                null, List.of(WEB80), List.of(new TlsBinding("foo.com", "c1/ns/foo-cert", FOO_CERT, SEALED)),
                                List.of(error("ns", "a", "annotation nginx.ingress.kubernetes.io/ssl-redirect: \"no\" is not true "
                                        + "or false; HTTP to its TLS hosts is redirected to HTTPS")))),

                row("an ExternalName Service resolves to its DNS name on the Service port",
                        List.of(ourClass(false),
                                upsert(dev.signalbox.schemas.event.Kind.SERVICE, "ns", "ext",
                                        new dev.signalbox.schemas.event.ServiceState("ExternalName", "api.example.net",
                                                List.of(port("https", 443, null)))),
                                ingress("ns", "a", 1, rule("foo.com", path("/", "Prefix", svc("ext", 443))))),
                        table(List.of("ns/a"), List.of(new VirtualHost("foo.com", List.of(route("/", PREFIX, id("ns", "ext", "443"), "ns/a")))),
                                null, List.of(backend("ns", "ext", "443", ep("api.example.net", 443))), List.of(), List.of()))
        );
    }

    private static String note(String annotation) {
        return Annotations.classify(annotation).orElseThrow().note();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
