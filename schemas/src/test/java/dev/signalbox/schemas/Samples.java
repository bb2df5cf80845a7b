package dev.signalbox.schemas;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import dev.signalbox.schemas.snapshot.ClientAuth;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fully populated sample records of every type, shared by the codec and JSON Schema tests. */
public final class Samples {
    public static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    public static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    public static final String CA = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
    public static final KeyRing KEYS = KeyRing.of(Map.of("2026-11", new byte[32]), null);
    public static final SealedKey KEY = KEYS.seal(
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            "east/demo/demo-tls");

    private Samples() {
    }

    public static ObjectKey key(Kind kind, String namespace, String name) {
        return new ObjectKey("east", kind, namespace, name);
    }

    public static IngressState ingressState() {
        IngressState.BackendRef echoA = new IngressState.BackendRef(
                new IngressState.ServiceRef("echo-a", null, "http"), null);
        IngressState.BackendRef echoB = new IngressState.BackendRef(
                new IngressState.ServiceRef("echo-b", 80, null), null);
        IngressState.BackendRef bucket = new IngressState.BackendRef(
                null, new IngressState.ResourceRef("k8s.example.com", "StorageBucket", "static"));
        return new IngressState("signalbox",
                Map.of("signalbox.dev/timeout", "5s", "example.com/owner", "team-a"),
                T0.minusSeconds(3600),
                echoB,
                List.of(new IngressState.TlsEntry(List.of("demo.example.com"), "demo-tls")),
                List.of(new IngressState.Rule("demo.example.com", List.of(
                                new IngressState.PathRule("/a", "Prefix", echoA),
                                new IngressState.PathRule("/", "Exact", echoB),
                                new IngressState.PathRule("/static", "ImplementationSpecific", bucket))),
                        new IngressState.Rule(null, List.of(new IngressState.PathRule("/", "Prefix", echoB)))));
    }

    public static IngressClassState ingressClassState() {
        return new IngressClassState("signalbox.dev/ingress-controller", true);
    }

    public static ServiceState serviceState() {
        return new ServiceState("ClusterIP", null, List.of(
                new ServiceState.Port("http", 80, "8080", "TCP"),
                new ServiceState.Port("metrics", 9090, "metrics", "TCP")), "10.96.0.12");
    }

    public static ServiceState externalNameServiceState() {
        return new ServiceState("ExternalName", "api.example.net", List.of());
    }

    public static EndpointSliceState endpointSliceState() {
        return new EndpointSliceState("echo-a", "IPv4",
                List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.7"), true, true, false),
                        new EndpointSliceState.Endpoint(List.of("10.0.0.8"), null, null, null)));
    }

    public static TlsSecretState tlsSecretState() {
        return new TlsSecretState(CERT, KEY, CA, null);
    }

    /** One UPSERT of every kind and a DELETE, each named so that a failing case says which. */
    public static Map<String, ClusterEvent> events() {
        Map<String, ClusterEvent> events = new java.util.HashMap<>(Map.of(
                "an Ingress with rules, TLS, a default backend and a resource backend",
                ClusterEvent.upsert(key(Kind.INGRESS, "demo", "demo"), "uid-1", "101", T0, 3, ingressState()),
                "a cluster-scoped IngressClass",
                ClusterEvent.upsert(key(Kind.INGRESS_CLASS, null, "signalbox"), "uid-2", "102", T0, 3,
                        ingressClassState()),
                "a ClusterIP Service with a named target port",
                ClusterEvent.upsert(key(Kind.SERVICE, "demo", "echo-a"), "uid-3", "103", T0, 3, serviceState()),
                "an ExternalName Service",
                ClusterEvent.upsert(key(Kind.SERVICE, "demo", "api"), "uid-4", "104", T0, 3,
                        externalNameServiceState()),
                "an EndpointSlice with a ready and an unknown endpoint",
                ClusterEvent.upsert(key(Kind.ENDPOINT_SLICE, "demo", "echo-a-x1"), "uid-5", "105", T0, 3,
                        endpointSliceState()),
                "a TLS Secret",
                ClusterEvent.upsert(key(Kind.SECRET, "demo", "demo-tls"), "uid-6", "106", T0, 3, tlsSecretState()),
                "an Ingress the watcher could not publish whole",
                ClusterEvent.upsert(key(Kind.INGRESS, "demo", "huge"), "uid-8", "108", T0, 3,
                        new dev.signalbox.schemas.event.RejectedState(Kind.INGRESS, "the event would be 2,100,000 bytes")),
                "a Secret an auth-secret annotation names, its data sealed",
                ClusterEvent.upsert(key(Kind.SECRET, "demo", "basic-auth"), "uid-10", "110", T0, 3,
                        new dev.signalbox.schemas.event.AuthSecretState(KEYS.seal(
                                "{\"auth\":\"foo:{SHA}YvW7bS1K+9k=\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                dev.signalbox.schemas.event.TlsSecretState.sealingContext("east", "demo", "basic-auth")), null)),
                "a ServiceExport",
                ClusterEvent.upsert(key(Kind.SERVICE_EXPORT, "demo", "echo-a"), "uid-9", "109", T0, 3,
                        new dev.signalbox.schemas.event.ServiceExportState(T0)),
                "a DELETE without state",
                ClusterEvent.delete(key(Kind.INGRESS, "demo", "old"), "uid-7", "107", T0, 4)));
        // ConfigMaps an Ingress names for header fields (issue 18).
        events.put("a ConfigMap a custom-headers annotation names",
                ClusterEvent.upsert(key(Kind.CONFIG_MAP, "demo", "custom-headers"), "uid-11", "111", T0, 3,
                        new dev.signalbox.schemas.event.ConfigMapState(Map.of("X-Frame-Options", "DENY",
                                "X-Content-Type-Options", "nosniff"), null)));
        events.put("a ConfigMap too large to publish",
                ClusterEvent.upsert(key(Kind.CONFIG_MAP, "demo", "huge-headers"), "uid-12", "112", T0, 3,
                        new dev.signalbox.schemas.event.ConfigMapState(Map.of(), "its data is 70000 bytes")));
        return Map.copyOf(events);
    }

    public static Backend backend(String service, String port, Endpoint... endpoints) {
        return new Backend(Backend.idOf("east", "demo", service, port), "east", "demo", service, port,
                List.of(endpoints), endpoints.length == 0 ? "no ready endpoints for service demo/" + service : null);
    }

    /** A backend spoken to over TLS with verification and a client certificate (mTLS). */
    public static Backend tlsBackend() {
        UpstreamTls tls = new UpstreamTls("secure.demo.svc", true, "east/demo/secure-client", CA, CERT, KEYS.seal(
                "-----BEGIN PRIVATE KEY-----\nMIIF\n-----END PRIVATE KEY-----\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "east/demo/secure-client"));
        return new Backend(Backend.idOf("east", "demo", "secure", "https", tls), "east", "demo", "secure", "https",
                List.of(new Endpoint("10.0.0.9", 8443)), null, tls);
    }

    /** Route options with a canary (header, cookie, weight) and sticky sessions on both backends. */
    public static RouteOptions trafficOptions() {
        dev.signalbox.schemas.snapshot.Traffic.Affinity sticky = new dev.signalbox.schemas.snapshot.Traffic.Affinity(
                "INGRESSCOOKIE", "/", null, 3600L, null, true, "Lax", false, true, false);
        dev.signalbox.schemas.snapshot.Traffic.Balancer balancer = new dev.signalbox.schemas.snapshot.Traffic.Balancer(
                sticky, "$request_uri$host", "ewma", 3);
        return new RouteOptions(null, null, null, null, null, new dev.signalbox.schemas.snapshot.Traffic(
                new dev.signalbox.schemas.snapshot.Traffic.Canary("east/demo/echo-b:80", "east/demo/canary", "X-Canary",
                        null, "^v2", "canary", 20, 100, balancer), balancer, "echo.demo.svc"), null, null, null);
    }

    /** CORS for two origins, one a wildcard, two response fields, one removing the backend's, and a request field. */
    public static HeaderOptions headers() {
        return new HeaderOptions(new HeaderOptions.Cors(List.of("https://app.example.com", "https://*.example.org:8443"),
                "GET, POST", "Content-Type,Authorization", true, "X-Total", 600),
                List.of(new HeaderOptions.Field("X-Frame-Options", "DENY"), new HeaderOptions.Field("Server", "")),
                List.of(new HeaderOptions.Field("X-Using-Signalbox", "true")));
    }

    public static RoutingTable table() {
        Backend a = backend("echo-a", "http", new Endpoint("10.0.0.7", 8080), new Endpoint("10.0.0.8", 8080),
                new Endpoint("10.1.0.7", 8080, "west", "west-1a", true));
        Backend b = backend("echo-b", "80");
        Backend s = tlsBackend();
        return new RoutingTable(
                List.of(new VirtualHost("demo.example.com", List.of(
                                new Route("/a", PathMatch.PREFIX, a.id(), "east/demo/demo"),
                                new Route("/", PathMatch.EXACT, b.id(), "east/demo/demo"),
                                new Route("/secure", PathMatch.PREFIX, s.id(), "east/demo/demo"))),
                        new VirtualHost("*.example.com", List.of(
                                new Route("/", PathMatch.PREFIX, a.id(), "east/demo/wild"),
                                new Route("/api", PathMatch.PREFIX, a.id(), "east/demo/wild", false,
                                        new RouteOptions(null, null, null, null, null, null, null, headers(), null)),
                                new Route("/shop", PathMatch.PREFIX, a.id(), "east/demo/wild", false,
                                        new RouteOptions(null, null, null, null, null, null, null, null,
                                                new dev.signalbox.schemas.snapshot.ErrorPages(b.id(), List.of(404, 503),
                                                        "demo", "wild", "echo-a", "http"))))),
                        new VirtualHost("regex.example.com", List.of(
                                new Route("/api(/|$)(.*)", PathMatch.REGEX, a.id(), "east/demo/regex", false,
                                        new RouteOptions("/$2", "/api", null, "/app", new ProxyLimits(8L << 20, 5, 120,
                                                120, List.of("error", "http_502", "timeout"), 3, 10,
                                                new ProxyLimits.RateLimit("east/demo/regex", 10, 0, 20, 5,
                                                        List.of("10.0.0.0/8"))), null, null, null, null)),
                                new Route("/old", PathMatch.REGEX, a.id(), "east/demo/regex", false,
                                        new RouteOptions(null, null, new RouteOptions.Redirect(301,
                                                "https://example.com/new", RouteOptions.Redirect.Kind.URL), null, null, null,
                                                null, null, null)),
                                new Route("/admin", PathMatch.REGEX, a.id(), "east/demo/regex", false,
                                        new RouteOptions(null, null, null, null, null, null,
                                                new dev.signalbox.schemas.snapshot.RouteAccess(
                                                List.of("10.0.0.0/8", "2001:db8::/32"), List.of("10.1.0.0/16"),
                                                new dev.signalbox.schemas.snapshot.RouteAccess.BasicAuth("Staff only",
                                                        "east/demo/basic-auth", false, KEY),
                                                new dev.signalbox.schemas.snapshot.RouteAccess.ExternalAuth(
                                                        "http://auth.demo.svc:8080/check", "GET", "https://auth.example/start",
                                                        "rd", List.of("X-User"), null, "$remote_user$http_authorization",
                                                        List.of(new dev.signalbox.schemas.snapshot.RouteAccess.CacheValid(
                                                                List.of(200, 202, 401), false, 300))), null), null, null)))),
                        new VirtualHost(VirtualHost.ANY_HOST, List.of(
                                new Route("/", PathMatch.PREFIX, b.id(), "east/demo/catch-all")))),
                b.id(),
                List.of(a, b, s),
                List.of(new TlsBinding("demo.example.com", "east/demo/demo-tls", CERT, KEY,
                        new ClientAuth("east/demo/demo-ca", CA, ClientAuth.Verify.ON, 1, true, null, null))),
                List.of(new Diagnostic("east", "Ingress", "demo", "demo", Diagnostic.Severity.ERROR,
                                "path /static names a resource backend; only Service backends are supported"),
                        new Diagnostic("east", "IngressClass", null, "other", Diagnostic.Severity.WARNING,
                                "IngressClass other is not for controller signalbox.dev/ingress-controller")));
    }

    public static RoutingSnapshot snapshot(long version, RoutingTable table) {
        return SnapshotCodec.create(version, T0, List.of(new SourceOffset(Topics.EVENTS, 0, 42),
                new SourceOffset(Topics.EVENTS, 1, 7)), table);
    }

    public static RoutingSnapshot snapshot() {
        return snapshot(7, table());
    }

    /** The mark of a watcher transaction of three records. */
    public static dev.signalbox.schemas.event.TransactionMark mark() {
        return new dev.signalbox.schemas.event.TransactionMark("signalbox-watcher-east", "5f3a9c1e", 3, 12, 3);
    }

    /** An event stamped with its transaction. */
    public static ClusterEvent markedEvent() {
        return ClusterEvent.upsert(key(Kind.SERVICE, "demo", "echo-a"), "uid-3", "103", T0, 3, serviceState())
                .withTransaction(mark());
    }

    /** The end of a leader's initial list. */
    public static dev.signalbox.schemas.event.SyncMarker marker() {
        return dev.signalbox.schemas.event.SyncMarker.of("east", 3, T0, 12).withTransaction(mark());
    }

    /** A watcher leader's heartbeat. */
    public static dev.signalbox.schemas.event.Heartbeat heartbeat() {
        return dev.signalbox.schemas.event.Heartbeat.of("east", 3, T0, 12).withTransaction(mark());
    }

    /** The compiler's decision that a cluster is stale. */
    public static dev.signalbox.schemas.event.ClusterLiveness stale() {
        return dev.signalbox.schemas.event.ClusterLiveness.stale("east", 3, T0.plusSeconds(31), T0, false,
                "no heartbeat for 31 s (stale after 30 s)");
    }

    /** A snapshot naming the transaction it contains. */
    /** Version 2 as a delta against {@link #snapshot()}: the first backend loses an endpoint and a host goes. */
    public static dev.signalbox.schemas.snapshot.SnapshotDelta delta() {
        RoutingTable t = table();
        List<Backend> backends = new java.util.ArrayList<>(t.backends());
        Backend b = backends.get(0);
        backends.set(0, new Backend(b.id(), b.cluster(), b.namespace(), b.service(), b.servicePort(),
                b.endpoints().subList(1, b.endpoints().size()), b.unavailableReason(), b.tls()));
        RoutingTable next = new RoutingTable(t.virtualHosts().subList(0, t.virtualHosts().size() - 1), t.defaultBackend(),
                backends, t.tls(), t.ingresses(), t.diagnostics());
        return dev.signalbox.schemas.codec.SnapshotDeltaCodec.between(t, snapshot(2, next));
    }

    public static RoutingSnapshot snapshotWithTransactions() {
        return SnapshotCodec.create(8, T0, List.of(new SourceOffset(Topics.EVENTS, 0, 45), new SourceOffset(Topics.EVENTS, 1, 7)),
                List.of(new dev.signalbox.schemas.snapshot.SourceTransaction("east", "signalbox-watcher-east", "5f3a9c1e", 3, 12, 3,
                        List.of(new dev.signalbox.schemas.snapshot.SourceTransaction.SourceRange(Topics.EVENTS, 0, 42, 44)))),
                table());
    }

    /** A random consistent table, each list sorted by its key as the compiler sorts it (TableHasherTest too). */
    public static RoutingTable randomTable(java.util.Random random) {
        return randomTable(random, 1);
    }

    /** {@link #randomTable(java.util.Random)} with {@code scale} times as many backends and hosts. */
    public static RoutingTable randomTable(java.util.Random random, int scale) {
        java.util.TreeMap<String, Backend> backends = new java.util.TreeMap<>();
        for (int i = 0; i < 12 * scale; i++) {
            if (random.nextInt(3) > 0) {
                List<String> addresses = new java.util.ArrayList<>();
                for (int e = 0; e < 4; e++) {
                    if (random.nextBoolean()) {
                        addresses.add("10.0." + i + "." + e);
                    }
                }
                Backend b = randomBackend("svc-" + i, addresses);
                backends.put(b.id(), b);
            }
        }
        List<Backend> pool = List.copyOf(backends.values());
        java.util.TreeMap<String, VirtualHost> hosts = new java.util.TreeMap<>();
        java.util.TreeMap<String, dev.signalbox.schemas.snapshot.TlsBinding> tls = new java.util.TreeMap<>();
        List<String> ingresses = new java.util.ArrayList<>();
        for (int h = 0; h < 15 * scale && !pool.isEmpty(); h++) {
            if (random.nextInt(3) > 0) {
                String name = "host-" + h + ".test";
                Backend to = pool.get(random.nextInt(pool.size()));
                hosts.put(name, new VirtualHost(name, List.of(new Route("/", PathMatch.PREFIX, to.id(), "c/ns/" + name))));
                ingresses.add("c/ns/" + name);
                if (random.nextInt(4) == 0) {
                    tls.put(name, new dev.signalbox.schemas.snapshot.TlsBinding(name, "c/ns/cert-" + h, "-----BEGIN CERTIFICATE-----" + random.nextInt(3), null));
                }
            }
        }
        String defaultBackend = !pool.isEmpty() && random.nextBoolean() ? pool.get(random.nextInt(pool.size())).id() : null;
        List<dev.signalbox.schemas.snapshot.Diagnostic> diagnostics = random.nextBoolean() ? List.of()
                : List.of(new dev.signalbox.schemas.snapshot.Diagnostic("c", "Ingress", "ns", "x", dev.signalbox.schemas.snapshot.Diagnostic.Severity.WARNING, "m" + random.nextInt(3)));
        return new RoutingTable(List.copyOf(hosts.values()), defaultBackend, pool, List.copyOf(tls.values()),
                ingresses.stream().sorted().toList(), diagnostics);
    }

    private static Backend randomBackend(String name, List<String> addresses) {
        return new Backend("c/ns/" + name + ":80", "c", "ns", name, "80",
                addresses.stream().map(a -> new Endpoint(a, 8080)).toList(),
                addresses.isEmpty() ? "no ready endpoints for service ns/" + name + " port 80" : null);
    }
}
