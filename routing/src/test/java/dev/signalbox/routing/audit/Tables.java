package dev.signalbox.routing.audit;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.List;

/** Small routing tables for the explanation and diff tests. */
final class Tables {
    static final Endpoint E1 = new Endpoint("10.0.0.1", 8080);
    static final Endpoint E2 = new Endpoint("10.0.0.2", 8080);
    static final Backend WEB = backend("web", List.of(E1, E2));
    static final Backend API = backend("api", List.of(E1));
    static final Backend DOWN = new Backend("c/shop/down:80", "c", "shop", "down", "80", List.of(),
            "service shop/down has no ready endpoints");
    static final TlsBinding SHOP_TLS = new TlsBinding("secure.example.com", "c/shop/secure-tls", "CERT",
            new SealedKey("k1", "AES-256-GCM", "n", "x"));
    static final Diagnostic WARN = new Diagnostic("c", "Ingress", "shop", "bad", Diagnostic.Severity.WARNING, "bad path");

    static Backend backend(String name, List<Endpoint> endpoints) {
        return new Backend("c/shop/" + name + ":80", "c", "shop", name, "80", endpoints, null);
    }

    static Route prefix(String path, Backend b) {
        return new Route(path, PathMatch.PREFIX, b.id(), "c/shop/ing-" + b.service());
    }

    static Route exact(String path, Backend b) {
        return new Route(path, PathMatch.EXACT, b.id(), "c/shop/ing-" + b.service());
    }

    static RoutingSnapshot snapshot(long version, List<VirtualHost> hosts, List<Backend> backends, List<TlsBinding> tls,
                                    String defaultBackend, List<Diagnostic> diagnostics) {
        return SnapshotCodec.create(version, Instant.parse("2026-12-04T13:02:00Z"), List.of(),
                new RoutingTable(hosts, defaultBackend, backends, tls, diagnostics));
    }

    /** shop.example.com: /checkout (Exact) -> api, /down -> down, / -> web; *.example.org: / -> web; secure: TLS. */
    static RoutingSnapshot shop(long version) {
        return snapshot(version, List.of(
                        new VirtualHost("shop.example.com", List.of(exact("/checkout", API), prefix("/down", DOWN),
                                prefix("/static", WEB))),
                        new VirtualHost("secure.example.com", List.of(new Route("/", PathMatch.PREFIX, WEB.id(),
                                "c/shop/ing-secure", true))),
                        new VirtualHost("*.example.org", List.of(prefix("/", WEB)))),
                List.of(WEB, API, DOWN), List.of(SHOP_TLS), null, List.of());
    }

    private Tables() {
    }
}
