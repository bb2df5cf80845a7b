package dev.signalbox.routing.audit;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.Decision;
import dev.signalbox.routing.Locality;
import dev.signalbox.routing.RequestTarget;
import dev.signalbox.routing.SniTable;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Explains how a snapshot routes one request, with the proxy's own code: the target is normalised by
 * {@link RequestTarget#parse}, the decision is {@link CompiledTable#route}'s and the route is
 * {@link CompiledTable#match}'s, the certificate {@link SniTable#select}'s. So an explanation cannot disagree
 * with what a proxy serving that snapshot does. Pure.
 */
public final class Explain {
    private Explain() {
    }

    /**
     * @param locality where the proxy asked about runs and its policy: which endpoints would serve depends on it
     * @param target   the request target as a client sends it ("/a/b?q")
     * @param overTls  whether the request comes over HTTPS (a plain-HTTP request to a TLS route gets 308)
     * @param foreign  Ingresses that are not ours, to explain an unknown host; may be empty
     */
    public static Explanation explain(RoutingSnapshot snapshot, Locality locality, String host, String target,
                                      String method, boolean overTls, List<ForeignIngress> foreign) {
        long version = snapshot.version();
        RequestTarget parsed = RequestTarget.parse(method, target);
        if (parsed instanceof RequestTarget.Invalid invalid) {
            return miss(version, null, null, 400, "the proxy refuses the request target with 400: " + invalid.reason(),
                    List.of());
        }
        String path = ((RequestTarget.Valid) parsed).path();
        CompiledTable table = CompiledTable.compile(snapshot, locality);
        Decision decision = table.route(host, path, overTls, e -> true);
        if (decision instanceof Decision.Restricted r) {
            // What the route does for a client its source ranges and credentials let through.
            decision = r.then();
        }
        CompiledTable.Match match = table.match(host, path);
        String normalized = CompiledTable.normalizeHost(host);
        Explanation.TlsRef tls = tlsFor(snapshot, normalized);
        int status = statusOf(decision);
        Explanation.LocalityRef served = decision instanceof Decision.Forward f ? localityRef(table, f.backendId()) : null;
        if (match != null) {
            Route r = match.route();
            Explanation.RouteRef route = new Explanation.RouteRef(r.path(), r.match().name(), r.httpsRedirect(),
                    Explanation.IngressRef.parse(r.source()));
            Explanation.BackendRef backend = backendRef(snapshot, r.backend());
            String reason;
            if (decision instanceof Decision.RedirectToHttps) {
                reason = "the route is served over HTTPS only: plain HTTP gets 308 to https://" + normalized + path;
            } else if (decision instanceof Decision.Unavailable u) {
                reason = u.reason();
            } else {
                reason = "route " + match.virtualHost() + r.path() + " (" + r.match() + ") of Ingress " + r.source()
                        + " sends to " + r.backend() + " (" + backend.endpoints().size() + " ready endpoints)"
                        + canary(r) + defaultBackend(r, decision);
            }
            return new Explanation(version, status == 200 || status == 308, match.virtualHost(), match.hostMatch(), route,
                    backend, tls, status, reason, List.of(), List.of(), served);
        }
        if (!(decision instanceof Decision.NotFound)) {
            Explanation.BackendRef backend = backendRef(snapshot, snapshot.table().defaultBackend());
            String reason = status == 503 ? ((Decision.Unavailable) decision).reason()
                    : "no rule matches; the default backend " + backend.id() + " answers";
            return new Explanation(version, status == 200, null, null, null, backend, tls, status, reason, List.of(),
                    List.of(), served);
        }
        return notFound(snapshot, normalized, path, tls, foreign);
    }

    /**
     * That the route's Ingress's default backend answers instead (issue 18, {@code default-backend}), as a clause of the
     * reason; "" when the route's own backend does.
     */
    private static String defaultBackend(Route r, Decision decision) {
        ErrorPages e = r.options() == null ? null : r.options().errors();
        if (e == null || e.backend() == null || !(decision instanceof Decision.Forward f) || !f.backendId().equals(e.backend())
                || f.backendId().equals(r.backend())) {
            return "";
        }
        return "; it has no ready endpoint, so its Ingress's default backend " + e.backend() + " answers";
    }

    /**
     * What the route's canary takes (issue 18), as a clause of the reason; "" without one. {@code explain} asks as a
     * request without headers or cookies, which the canary gets only when its weight is all requests.
     */
    private static String canary(Route r) {
        Traffic.Canary c = r.options() == null || r.options().traffic() == null ? null : r.options().traffic().canary();
        if (c == null) {
            return "";
        }
        List<String> rules = new ArrayList<>();
        if (c.header() != null) {
            rules.add("header " + c.header() + (c.headerValue() != null ? ": " + c.headerValue()
                    : c.headerPattern() != null ? " matching " + c.headerPattern() : ": always"));
        }
        if (c.cookie() != null) {
            rules.add("cookie " + c.cookie() + "=always");
        }
        rules.add(c.weight() + " of " + c.weightTotal() + " other requests");
        return "; its canary, Ingress " + c.source() + ", sends to " + c.backend() + " requests with "
                + String.join(", ", rules);
    }

    /** The status the proxy answers a decision with. */
    public static int statusOf(Decision decision) {
        if (decision instanceof Decision.Forward) {
            return 200;
        }
        if (decision instanceof Decision.RedirectToHttps) {
            return 308;
        }
        return decision instanceof Decision.Unavailable ? 503 : 404;
    }

    private static Explanation notFound(RoutingSnapshot snapshot, String host, String path, Explanation.TlsRef tls,
                                        List<ForeignIngress> foreign) {
        long version = snapshot.version();
        VirtualHost known = knownHost(snapshot, host);
        if (known != null) {
            List<String> candidates = new ArrayList<>();
            for (Route r : known.routes()) {
                candidates.add(r.path() + " (" + r.match() + ")");
            }
            return miss(version, known.host(), tls, 404, "host " + host + " is known (virtual host " + known.host()
                    + ") but no path matches " + path, candidates);
        }
        for (ForeignIngress f : foreign) {
            for (String h : f.hosts()) {
                if (covers(h.toLowerCase(java.util.Locale.ROOT), host)) {
                    return miss(version, null, tls, 404, "no route for host " + host + ": Ingress " + f.cluster() + "/"
                            + f.namespace() + "/" + f.name() + " names it but is not ours (class "
                            + (f.className() == null ? "none" : f.className()) + ")", List.of());
                }
            }
        }
        return miss(version, null, tls, 404, "no virtual host for " + host + " and no default backend", List.of());
    }

    private static Explanation miss(long version, String virtualHost, Explanation.TlsRef tls, int status, String reason,
                                    List<String> candidates) {
        return new Explanation(version, false, virtualHost, null, null, null, tls, status, reason, candidates, List.of(),
                null);
    }

    /** The endpoints the proxy's own grouping ({@link CompiledTable#serving}) sends {@code backendId}'s requests to. */
    private static Explanation.LocalityRef localityRef(CompiledTable table, String backendId) {
        CompiledTable.Serving s = table.serving(backendId);
        Locality l = table.locality();
        return new Explanation.LocalityRef(l.cluster(), l.zone(), l.policy().label(),
                s.tiers().stream().map(Locality.Tier::label).toList(), s.endpoints());
    }

    /** The virtual host the proxy would look the host up in: exact first, then its wildcard. */
    private static VirtualHost knownHost(RoutingSnapshot snapshot, String host) {
        VirtualHost wildcard = null;
        for (VirtualHost vh : snapshot.table().virtualHosts()) {
            String h = vh.host().toLowerCase(java.util.Locale.ROOT);
            if (h.equals(host)) {
                return vh;
            }
            if (h.startsWith("*.") && covers(h, host)) {
                wildcard = vh;
            }
        }
        return wildcard;
    }

    /** Whether host pattern {@code pattern} covers {@code host}: equal, or a one-label wildcard of it. */
    static boolean covers(String pattern, String host) {
        if (pattern.equals(host)) {
            return true;
        }
        int dot = host.indexOf('.');
        return pattern.startsWith("*.") && dot > 0 && host.substring(dot + 1).equals(pattern.substring(2));
    }

    private static Explanation.TlsRef tlsFor(RoutingSnapshot snapshot, String host) {
        Map<String, TlsBinding> byHost = new LinkedHashMap<>();
        snapshot.table().tls().forEach(t -> byHost.put(t.host(), t));
        TlsBinding b = SniTable.of(byHost).select(host);
        return b == null ? null : new Explanation.TlsRef(b.host(), b.secret());
    }

    private static Explanation.BackendRef backendRef(RoutingSnapshot snapshot, String id) {
        for (Backend b : snapshot.table().backends()) {
            if (b.id().equals(id)) {
                return new Explanation.BackendRef(b.id(), b.cluster(), b.namespace(), b.service(), b.servicePort(),
                        b.endpoints(), b.unavailableReason());
            }
        }
        throw new IllegalArgumentException("backend " + id + " is not in snapshot " + snapshot.version());
    }
}
