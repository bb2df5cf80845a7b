package dev.signalbox.compiler.compile;

import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.Traffic;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Folds canary Ingresses ({@code canary: "true"}, issue 18) into the routes of the other Ingresses, as ingress-nginx
 * merges a canary's Service into the main location as its alternative backend: for each host and path of the canary
 * that an ordinary Ingress routes (same host, path and pathType), the route gets the canary's backend and rules in
 * {@link Traffic.Canary}. A canary makes no routes of its own: a path no other Ingress routes is a warning, and so is
 * a second canary for a path (ingress-nginx serves one alternative backend per location; the oldest canary wins).
 *
 * <p>As in ingress-nginx, the canary Ingress's other annotations are the main Ingress's: the route keeps its rewrite,
 * redirects, backend protocol and upstream-vhost, and the canary's Service is spoken to as the main's is; the canary's
 * own {@code upstream-hash-by} and {@code load-balance} choose among its endpoints. Session affinity of the canary's
 * backend is the main route's ({@code affinity-canary-behavior: sticky}, the default: ingress-nginx copies it), or
 * the canary Ingress's own with {@code legacy}. Its TLS section and default backend are ignored. Pure.
 */
final class Canaries {
    /** A canary Ingress with its parsed annotations, oldest first. */
    record Canary(ObjectKey key, IngressState state, TrafficAnnotations.Spec spec) {
    }

    private Canaries() {
    }

    /**
     * @param hosts    host, then conflict key, then the winning route: the routes to fold into
     * @param routeTls host + " " + conflict key: how the winning route's Ingress speaks to its backends
     */
    static void fold(List<Canary> canaries, Map<String, Map<String, Route>> hosts, Map<String, BackendTls.Spec> routeTls,
                     HostAnnotations hostAnnotations, Backends backends, Diagnostics diagnostics) {
        Map<String, ObjectKey> owners = new HashMap<>();
        for (Canary c : canaries) {
            String source = c.key().clusterId() + "/" + c.key().shortName();
            if (c.state().defaultBackend() != null) {
                diagnostics.warning(c.key(), "defaultBackend of a canary Ingress is ignored: Signalbox splits only "
                        + "paths that another Ingress routes");
            }
            for (IngressState.Rule rule : c.state().rules()) {
                String host = HostAnnotations.host(rule);
                if (host == null) {
                    diagnostics.error(c.key(), "rule host \"" + rule.host() + "\" is not a valid host name or one-label "
                            + "wildcard (*.example.com); rule ignored");
                    continue;
                }
                for (IngressState.PathRule p : rule.paths()) {
                    String where = "canary path \"" + p.path() + "\" (" + p.pathType() + ") of host " + host;
                    Optional<PathMatch> match = Paths.match(p.pathType());
                    if (match.isEmpty()) {
                        diagnostics.error(c.key(), where + ": pathType is not Exact, Prefix or ImplementationSpecific; "
                                + "path ignored");
                        continue;
                    }
                    PathMatch pathMatch = hostAnnotations.regex(host) ? PathMatch.REGEX : match.get();
                    String conflictKey = pathMatch + " " + Paths.conflictKey(p.path(), pathMatch);
                    Map<String, Route> routes = hosts.get(host);
                    Route main = routes == null ? null : routes.get(conflictKey);
                    if (main == null) {
                        diagnostics.warning(c.key(), where + ": no other Ingress routes this host and path, so there is "
                                + "nothing to split; a canary Ingress makes no routes of its own");
                        continue;
                    }
                    ObjectKey older = owners.get(host + " " + conflictKey);
                    if (older != null) {
                        diagnostics.warning(c.key(), where + " already has a canary, the older Ingress "
                                + older.shortName() + " in cluster " + older.clusterId()
                                + " (one canary per path, as in ingress-nginx); ignored");
                        continue;
                    }
                    Optional<Backend> b = RouteCompiler.backend(c.key(), p.backend(), where,
                            routeTls.get(host + " " + conflictKey), backends, diagnostics);
                    if (b.isEmpty()) {
                        continue;
                    }
                    Traffic mainTraffic = main.options() == null ? null : main.options().traffic();
                    Traffic.Affinity mainAffinity = mainTraffic == null ? null : mainTraffic.affinity();
                    Traffic.Balancer own = c.spec().balancer();
                    Traffic.Balancer canaryBalancer = new Traffic.Balancer(
                            c.spec().legacyCanaryAffinity() ? c.spec().affinity() : mainAffinity,
                            own == null ? null : own.hashBy(), own == null ? null : own.loadBalance(),
                            own == null ? null : own.hashSubsetSize());
                    routes.put(conflictKey, withTraffic(main, new Traffic(
                            c.spec().canary().of(b.get().id(), source, canaryBalancer),
                            mainTraffic == null ? null : mainTraffic.balancer(),
                            mainTraffic == null ? null : mainTraffic.upstreamVhost())));
                    owners.put(host + " " + conflictKey, c.key());
                }
            }
        }
    }

    /**
     * Warns of each annotation of a canary Ingress that it does not honour: ingress-nginx takes all but the canary,
     * session affinity and balancing ones from the main Ingress.
     */
    static void warnIgnored(ObjectKey key, IngressState ingress, Diagnostics diagnostics) {
        for (Annotations.Verdict v : Annotations.review(ingress)) {
            String name = v.annotation().substring(v.annotation().indexOf('/') + 1);
            boolean honoured = name.startsWith("canary") || name.startsWith("affinity")
                    || name.startsWith("session-cookie") || name.equals("load-balance") || name.startsWith("upstream-hash-by");
            if (!honoured && (v.support() == Annotations.Support.SUPPORTED || v.support() == Annotations.Support.DIFFERENT)) {
                diagnostics.warning(key, "annotation " + v.annotation() + " is ignored on a canary Ingress: the main "
                        + "Ingress's applies (as in ingress-nginx)");
            }
        }
    }

    /** {@code options} with {@code traffic} (null: none). */
    static RouteOptions withTraffic(RouteOptions options, Traffic traffic) {
        RouteOptions o = options == null ? new RouteOptions(null, null, null, null, null, null, null, null, null) : options;
        return RouteOptions.orNull(new RouteOptions(o.rewriteTarget(), o.forwardedPrefix(), o.redirect(), o.appRoot(),
                o.limits(), traffic, o.access(), o.headers(), o.errors()));
    }

    private static Route withTraffic(Route r, Traffic traffic) {
        return new Route(r.path(), r.match(), r.backend(), r.source(), r.httpsRedirect(), withTraffic(r.options(), traffic));
    }
}
