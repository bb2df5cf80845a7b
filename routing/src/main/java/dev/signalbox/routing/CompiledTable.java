package dev.signalbox.routing;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A routing snapshot compiled once into lookup structures: exact hosts and one-label wildcards in hash
 * maps, each host's routes in the compiler's precedence order, each backend's endpoints grouped by where they
 * run as seen from the proxy it was compiled for ({@link Locality}). Immutable except for the round-robin
 * cursors of its backends, which are atomic, so any event loop may route with it concurrently.
 */
public final class CompiledTable {
    public static final CompiledTable EMPTY = new CompiledTable(null, Locality.DEFAULT, new HostIndex<>(Map.of()),
            new HostIndex<>(Map.of()), List.of(), null, Map.of(), Map.of());
    public static final String DEFAULT_ROUTE = "(default)";
    public static final String NO_ROUTE = "(none)";

    private final RoutingSnapshot snapshot;
    private final Locality locality;
    private final HostIndex<List<CompiledRoute>> exactHosts;
    /** Keyed by the wildcard's suffix: "*.foo.com" is stored under "foo.com". */
    private final HostIndex<List<CompiledRoute>> wildcardHosts;
    private final List<CompiledRoute> anyHost;
    private final CompiledBackend defaultBackend;
    private final Map<String, CompiledBackend> backends;
    /** The TLS settings of the backends spoken to over TLS, by id. */
    private final Map<String, UpstreamTls> upstreamTls;

    private CompiledTable(RoutingSnapshot snapshot, Locality locality, HostIndex<List<CompiledRoute>> exactHosts,
                          HostIndex<List<CompiledRoute>> wildcardHosts, List<CompiledRoute> anyHost,
                          CompiledBackend defaultBackend, Map<String, CompiledBackend> backends,
                          Map<String, UpstreamTls> upstreamTls) {
        this.backends = backends;
        this.snapshot = snapshot;
        this.locality = locality;
        this.exactHosts = exactHosts;
        this.wildcardHosts = wildcardHosts;
        this.anyHost = anyHost;
        this.defaultBackend = defaultBackend;
        this.upstreamTls = upstreamTls;
    }

    /**
     * Compiles {@code snapshot} for a proxy at {@code locality}: each backend's endpoints are grouped by where
     * they run relative to it (see {@link Locality.Policy}) here, once, not per request.
     */
    public static CompiledTable compile(RoutingSnapshot snapshot, Locality locality) {
        return compile(snapshot, locality, null);
    }

    /**
     * {@link #compile(RoutingSnapshot, Locality)}, keeping what {@code previous} compiled for the backends and hosts
     * that did not change (issue 15): a version that changed one backend's endpoints compiles that backend and the
     * routes to it, and every other backend keeps its compiled groups and its round-robin cursors. The result is
     * the same table a compile from scratch gives.
     *
     * @param previous the table serving until now, or null
     */
    public static CompiledTable compile(RoutingSnapshot snapshot, Locality locality, CompiledTable previous) {
        boolean reuse = previous != null && previous.snapshot != null && previous.locality.equals(locality);
        if (reuse) {
            CompiledTable endpointsOnly = previous.withBackendsOf(snapshot);
            if (endpointsOnly != null) {
                return endpointsOnly;
            }
        }
        Map<String, CompiledBackend> backends = new HashMap<>();
        Map<String, UpstreamTls> tls = new HashMap<>();
        java.util.Set<String> changed = new java.util.HashSet<>();
        for (Backend b : snapshot.table().backends()) {
            CompiledBackend old = reuse ? previous.backends.get(b.id()) : null;
            if (old != null && (old.backend == b || old.backend.equals(b))) {
                backends.put(b.id(), old);
            } else {
                backends.put(b.id(), new CompiledBackend(b, locality));
                changed.add(b.id());
            }
            if (b.tls() != null) {
                tls.put(b.id(), b.tls());
            }
        }
        Map<String, VirtualHost> oldHosts = new HashMap<>();
        if (reuse) {
            for (VirtualHost vh : previous.snapshot.table().virtualHosts()) {
                oldHosts.put(vh.host(), vh);
            }
        }
        Placement placed = new Placement(List.of());
        for (VirtualHost vh : snapshot.table().virtualHosts()) {
            List<CompiledRoute> routes = reuse ? previous.routesOf(vh, oldHosts.get(vh.host()), changed) : null;
            placed.put(vh.host(), routes != null ? routes : compileRoutes(vh, backends));
        }
        String defaultId = snapshot.table().defaultBackend();
        return new CompiledTable(snapshot, locality, new HostIndex<>(placed.exact), new HostIndex<>(placed.wildcard), placed.any,
                defaultId == null ? null : backends.get(defaultId), Map.copyOf(backends), Map.copyOf(tls));
    }

    /**
     * This table for {@code snapshot} when only backends changed in place: the same virtual hosts (the list a delta
     * leaves as it was), default backend and backend ids in the same order. The changed backends are compiled, and
     * the routes of the hosts that send to one; every other host keeps its compiled routes and the host indexes
     * their slots, so an endpoint change costs about a walk over the backends and hosts, not a compile (issue 15).
     * Null when anything else changed.
     */
    private CompiledTable withBackendsOf(RoutingSnapshot next) {
        dev.signalbox.schemas.snapshot.RoutingTable now = next.table();
        dev.signalbox.schemas.snapshot.RoutingTable was = snapshot.table();
        if (now.virtualHosts() != was.virtualHosts() || !java.util.Objects.equals(now.defaultBackend(), was.defaultBackend())
                || now.backends().size() != was.backends().size()) {
            return null;
        }
        Map<String, CompiledBackend> changed = new HashMap<>();
        for (int i = 0; i < now.backends().size(); i++) {
            Backend b = now.backends().get(i);
            Backend old = was.backends().get(i);
            if (b != old && !b.equals(old)) {
                if (!b.id().equals(old.id())) {
                    return null;
                }
                changed.put(b.id(), new CompiledBackend(b, locality));
            }
        }
        if (changed.isEmpty()) {
            return new CompiledTable(next, locality, exactHosts, wildcardHosts, anyHost, defaultBackend, backends, upstreamTls);
        }
        Map<String, CompiledBackend> compiled = new HashMap<>(backends);
        compiled.putAll(changed);
        Map<String, UpstreamTls> tls = new HashMap<>(upstreamTls);
        for (CompiledBackend b : changed.values()) {
            if (b.backend.tls() == null) {
                tls.remove(b.id());
            } else {
                tls.put(b.id(), b.backend.tls());
            }
        }
        Placement placed = new Placement(anyHost);
        for (VirtualHost vh : now.virtualHosts()) {
            if (sendsTo(vh, changed.keySet())) {
                placed.put(vh.host(), compileRoutes(vh, compiled));
            }
        }
        String defaultId = now.defaultBackend();
        return new CompiledTable(next, locality, exactHosts.withValues(placed.exact), wildcardHosts.withValues(placed.wildcard),
                placed.any,
                defaultId == null ? null : compiled.get(defaultId), Collections.unmodifiableMap(compiled),
                Collections.unmodifiableMap(tls));
    }

    /** Compiled routes placed by the kind of their host: exact, a one-label wildcard (by its suffix), the catch-all. */
    private static final class Placement {
        final Map<String, List<CompiledRoute>> exact = new HashMap<>();
        final Map<String, List<CompiledRoute>> wildcard = new HashMap<>();
        List<CompiledRoute> any;

        Placement(List<CompiledRoute> any) {
            this.any = any;
        }

        void put(String virtualHost, List<CompiledRoute> routes) {
            String host = virtualHost.toLowerCase(Locale.ROOT);
            if (host.equals(VirtualHost.ANY_HOST)) {
                any = routes;
            } else if (host.startsWith("*.")) {
                wildcard.put(host.substring(2), routes);
            } else {
                exact.put(host, routes);
            }
        }
    }

    /** Whether a route of {@code vh}, or its canary, sends to one of {@code backendIds}. */
    private static boolean sendsTo(VirtualHost vh, java.util.Set<String> backendIds) {
        for (Route r : vh.routes()) {
            if (backendIds.contains(r.backend())) {
                return true;
            }
            Traffic t = r.options() == null ? null : r.options().traffic();
            if (t != null && t.canary() != null && backendIds.contains(t.canary().backend())) {
                return true;
            }
        }
        return false;
    }

    /** The routes of {@code vh} compiled against {@code backends}, in the compiler's order. */
    private static List<CompiledRoute> compileRoutes(VirtualHost vh, Map<String, CompiledBackend> backends) {
        List<CompiledRoute> routes = new ArrayList<>(vh.routes().size());
        for (Route r : vh.routes()) {
            routes.add(new CompiledRoute(vh.host(), r, backends.get(r.backend()), TrafficSplit.of(r, backends::get)));
        }
        return List.copyOf(routes);
    }

    /**
     * This table's compiled routes of {@code vh} when the host is unchanged ({@code old} equals it) and none of its
     * routes goes to a backend in {@code changed}; null when they must be compiled again.
     */
    private List<CompiledRoute> routesOf(VirtualHost vh, VirtualHost old, java.util.Set<String> changed) {
        if (old == null || (old != vh && !old.equals(vh)) || sendsTo(vh, changed)) {
            return null;
        }
        String host = vh.host().toLowerCase(Locale.ROOT);
        if (host.equals(VirtualHost.ANY_HOST)) {
            return anyHost;
        }
        return host.startsWith("*.") ? wildcardHosts.get(host.substring(2)) : exactHosts.get(host);
    }

    /** How to speak TLS to backend {@code backendId}, or null for plain HTTP. */
    public UpstreamTls upstreamTls(String backendId) {
        return upstreamTls.get(backendId);
    }

    /** Whether backend {@code backendId} is spoken to over HTTP/2 ({@link Backend#http2()}). */
    public boolean http2(String backendId) {
        CompiledBackend b = backends.get(backendId);
        return b != null && b.backend.http2();
    }

    /** The snapshot this table was compiled from, or null for {@link #EMPTY}. */
    public RoutingSnapshot snapshot() {
        return snapshot;
    }

    /** Where the proxy this table was compiled for runs, and its policy. */
    public Locality locality() {
        return locality;
    }

    /** The snapshot version, 0 for {@link #EMPTY}. */
    public long version() {
        return snapshot == null ? 0 : snapshot.version();
    }

    /** Routes one request that came over plain HTTP; see {@link #route(String, String, boolean)}. */
    public Decision route(String hostHeader, String path) {
        return route(hostHeader, path, false);
    }

    /**
     * Routes one request.
     *
     * @param hostHeader the Host header as sent (any case, maybe with a port), or null
     * @param path       the normalised path, {@link RequestTarget.Valid#path()}
     * @param overTls    whether it came over TLS; if not, a route marked httpsRedirect redirects it
     */
    public Decision route(String hostHeader, String path, boolean overTls) {
        return route(hostHeader, path, overTls, e -> true);
    }

    /**
     * Routes one request, choosing among the endpoints {@code usable} accepts (those outlier detection has
     * not ejected) in round-robin order within the nearest tier that has one (see {@link Locality.Policy});
     * when it accepts none of a backend's endpoints, among those of the nearest tier.
     */
    public Decision route(String hostHeader, String path, boolean overTls, Predicate<Endpoint> usable) {
        return route(hostHeader, path, overTls, usable, RequestView.NONE);
    }

    /**
     * Routes one request as {@link #route(String, String, boolean, Predicate)} does, and where the route has a canary
     * or session affinity (issue 18), by {@code request}'s headers, cookies and draws.
     */
    public Decision route(String hostHeader, String path, boolean overTls, Predicate<Endpoint> usable,
                          RequestView request) {
        String h = hostHeader == null ? "" : hostHeader;
        long region = hostRegion(h);
        CompiledRoute match = find(h, (int) (region >>> 32), (int) region, path);
        if (match != null) {
            Decision answer = match.answer(path, overTls);
            if (answer != null) {
                return withHeaders(answer, match.options());
            }
            Decision d = match.traffic() == null ? match.backend().pick(match.label(), usable)
                    : match.traffic().pick(match.label(), match.backend(), request, usable);
            ErrorPages errors = match.options() == null ? null : match.options().errors();
            if (d instanceof Decision.Unavailable && errors != null && errors.backend() != null) {
                d = byDefaultBackend(match.label(), errors.backend(), usable, d);
            }
            d = withHeaders(d instanceof Decision.Forward f
                    ? f.withRewrite(match.rewrite(path)).withLimits(match.options() == null ? null : match.options().limits())
                            .withErrors(errors)
                    : d, match.options());
            return match.access() == null ? d : new Decision.Restricted(match.label(), match.access(), d);
        }
        if (defaultBackend != null) {
            return defaultBackend.pick(DEFAULT_ROUTE, usable);
        }
        return new Decision.NotFound(NO_ROUTE, "no route for host \"" + normalizeHost(hostHeader) + "\" and path \"" + path
                + "\" and no default backend (snapshot version " + version() + ")");
    }

    /**
     * ingress-nginx's {@code default-backend} annotation: a route whose backend has no endpoint is served by its
     * Ingress's default backend when that has one; otherwise {@code unavailable} (503) stands.
     */
    private Decision byDefaultBackend(String label, String backendId, Predicate<Endpoint> usable, Decision unavailable) {
        CompiledBackend b = backends.get(backendId);
        Decision d = b == null ? unavailable : b.pick(label, usable);
        return d instanceof Decision.Forward ? d : unavailable;
    }

    /** {@code d}, carrying what its route adds to responses ({@link Decision#headers()}) when it adds anything. */
    private static Decision withHeaders(Decision d, RouteOptions options) {
        HeaderOptions h = options == null ? null : options.headers();
        if (h == null) {
            return d;
        }
        if (d instanceof Decision.Forward f) {
            return f.withHeaders(h);
        }
        if (d instanceof Decision.Unavailable u) {
            return new Decision.Unavailable(u.route(), u.reason(), h);
        }
        if (d instanceof Decision.Redirect r) {
            return new Decision.Redirect(r.route(), r.status(), r.target(), r.value(), h);
        }
        if (d instanceof Decision.RedirectToHttps r) {
            return new Decision.RedirectToHttps(r.route(), h);
        }
        return d;
    }

    /**
     * The route {@link #route} chooses for this host and path, with the virtual host it belongs to, or null
     * when none matches (then the default backend or 404): what {@code bin/ingress explain} reports, found by
     * the same lookup the proxy routes with.
     */
    public Match match(String hostHeader, String path) {
        String host = normalizeHost(hostHeader);
        CompiledRoute r = find(host, 0, host.length(), path);
        return r == null ? null : new Match(r.virtualHost(), r.route());
    }

    /**
     * A route chosen for a request.
     *
     * @param virtualHost the host pattern that matched: the host itself, a one-label wildcard, or
     *                    {@link VirtualHost#ANY_HOST} for rules without a host
     */
    public record Match(String virtualHost, Route route) {
        /** How the host matched: exact, wildcard or any (a rule without a host). */
        public String hostMatch() {
            return virtualHost.equals(VirtualHost.ANY_HOST) ? "any" : virtualHost.startsWith("*.") ? "wildcard" : "exact";
        }
    }

    /** Exact host first, then its one-label wildcard, then rules without a host; the first route that matches. */
    private CompiledRoute find(String s, int from, int to, String path) {
        CompiledRoute match = firstMatch(exactHosts.get(s, from, to), path);
        if (match == null) {
            int dot = s.indexOf('.', from);
            // A wildcard covers exactly one non-empty label: "*.foo.com" matches "bar.foo.com" only.
            if (dot > from && dot < to) {
                match = firstMatch(wildcardHosts.get(s, dot + 1, to), path);
            }
        }
        if (match == null) {
            match = firstMatch(anyHost, path);
        }
        return match;
    }

    /** The endpoints of backend {@code backendId} in this table, empty if it has none or is unknown. */
    public List<Endpoint> endpoints(String backendId) {
        CompiledBackend b = backends.get(backendId);
        return b == null ? List.of() : b.backend.endpoints();
    }

    /**
     * The endpoints of {@code backendId} that get its requests while none is ejected, and where they run: under
     * prefer-local those of the nearest tier that has any, under balance-all all of them (every tier among
     * them, nearest first). Empty for a backend without endpoints or unknown. What {@code explain} reports.
     */
    public Serving serving(String backendId) {
        CompiledBackend b = backends.get(backendId);
        return b == null ? new Serving(List.of(), List.of()) : b.serving();
    }

    /** A backend's serving endpoints and their tiers, nearest first; see {@link #serving(String)}. */
    public record Serving(List<Locality.Tier> tiers, List<Endpoint> endpoints) {
        public Serving {
            tiers = List.copyOf(tiers);
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * Another endpoint of {@code backendId} for a retry, the next in round-robin order that {@code avoid}
     * does not reject within the nearest tier that has one (so a retry fails over to a farther tier only when
     * the nearer endpoints are all rejected), or null when it rejects them all.
     */
    public Decision.Forward another(String backendId, String route, Predicate<Endpoint> avoid) {
        CompiledBackend b = backends.get(backendId);
        return b == null ? null : b.next(route, avoid.negate());
    }

    private static CompiledRoute firstMatch(List<CompiledRoute> routes, String path) {
        if (routes == null) {
            return null;
        }
        for (CompiledRoute r : routes) {
            if (r.matches(path)) {
                return r;
            }
        }
        return null;
    }

    /**
     * Where {@link #normalizeHost} finds the host in a Host header, without copying it: the first index in the
     * high 32 bits, the end (exclusive) in the low 32 bits; the case is left to the lookup ({@link HostIndex}).
     * The same cuts as normalizeHost: whitespace around it, the port (RFC 9110 7.2), one trailing dot, an IPv6
     * literal kept whole with its brackets.
     */
    static long hostRegion(String h) {
        int from = 0;
        int to = h.length();
        while (from < to && h.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && h.charAt(to - 1) <= ' ') {
            to--;
        }
        if (from < to && h.charAt(from) == '[') {
            int close = h.indexOf(']', from);
            return (long) from << 32 | (close < 0 || close >= to ? to : close + 1);
        }
        int colon = h.lastIndexOf(':', to - 1);
        if (colon >= from) {
            to = colon;
        }
        if (to > from && h.charAt(to - 1) == '.') {
            to--;
        }
        return (long) from << 32 | to;
    }

    /** Lower-cases the host and strips the port (RFC 9110 7.2), keeping IPv6 literals whole. */
    public static String normalizeHost(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * One route ready to match: a Prefix path without its final '/', a regular expression compiled once per table
     * (RE2J: linear time, no backtracking, so a path from an Ingress cannot stall an event loop).
     */
    private record CompiledRoute(String virtualHost, Route route, String label, PathMatch match, String path,
                                 Pattern regex, boolean httpsRedirect, RouteOptions options, CompiledBackend backend,
                                 TrafficSplit traffic, AccessRules access) {
        CompiledRoute(String virtualHost, Route route, CompiledBackend backend, TrafficSplit traffic) {
            this(virtualHost, route, virtualHost + route.path(), route.match(),
                    route.match() == PathMatch.PREFIX ? trimSlash(route.path()) : route.path(), regex(route),
                    route.httpsRedirect(), route.options(), backend, traffic,
                    route.options() == null || route.options().access() == null ? null
                            : AccessRules.of(route.options().access()));
        }

        private static String trimSlash(String prefix) {
            return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        }

        /**
         * ingress-nginx's {@code location ~* "^path"}: case-insensitive, anchored at the start only. A pattern RE2
         * cannot compile (the compiler refuses those) matches nothing.
         */
        private static Pattern regex(Route route) {
            if (route.match() != PathMatch.REGEX) {
                return null;
            }
            try {
                return Pattern.compile(route.path(), Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                return null;
            }
        }

        /** Ingress v1 pathType: Exact compares strings; Prefix compares '/'-separated elements. */
        boolean matches(String requestPath) {
            if (match == PathMatch.REGEX) {
                return regex != null && regex.matcher(requestPath).lookingAt();
            }
            if (match == PathMatch.EXACT) {
                return requestPath.equals(path);
            }
            return requestPath.startsWith(path)
                    && (requestPath.length() == path.length() || requestPath.charAt(path.length()) == '/');
        }

        /**
         * The proxy's own answer for this route, or null to forward: app-root for "/" first (ingress-nginx checks it
         * in the server block, before any location), then the route's redirect (its {@code return} runs in the
         * rewrite phase, before ssl-redirect's Lua), then the redirect to HTTPS, then a rewrite to an absolute URL,
         * which nginx answers with 302.
         */
        Decision answer(String requestPath, boolean overTls) {
            if (options != null && options.appRoot() != null && requestPath.equals("/")) {
                return new Decision.Redirect(label, 302, Decision.Redirect.Target.PATH, options.appRoot());
            }
            if (options != null && options.redirect() != null) {
                RouteOptions.Redirect r = options.redirect();
                return new Decision.Redirect(label, r.code(), r.kind() == RouteOptions.Redirect.Kind.HOST
                        ? Decision.Redirect.Target.HOST : Decision.Redirect.Target.URL, r.location());
            }
            if (httpsRedirect && !overTls) {
                return new Decision.RedirectToHttps(label);
            }
            if (options != null && options.rewriteTarget() != null && isUrl(options.rewriteTarget())) {
                return new Decision.Redirect(label, 302, Decision.Redirect.Target.URL, substitute(requestPath));
            }
            return null;
        }

        /**
         * The path the backend gets instead of {@code requestPath} and the Host it gets ({@code upstream-vhost}), or
         * null when the route changes neither.
         */
        Decision.Rewrite rewrite(String requestPath) {
            String host = options == null || options.traffic() == null ? null : options.traffic().upstreamVhost();
            if (options == null || options.rewriteTarget() == null) {
                return host == null ? null : new Decision.Rewrite(null, null, host);
            }
            String p = substitute(requestPath);
            return new Decision.Rewrite(p.startsWith("/") ? p : "/" + p, options.forwardedPrefix(), host);
        }

        /**
         * The rewrite target with {@code $1}..{@code $9} replaced by the groups of this route's expression on
         * {@code requestPath} (nginx's {@code rewrite "(?i)path" target break;}: the whole path is replaced); a group
         * that did not take part is empty; a '$' not followed by a digit stays.
         */
        private String substitute(String requestPath) {
            String target = options.rewriteTarget();
            Matcher m = regex == null ? null : regex.matcher(requestPath);
            boolean found = m != null && m.lookingAt();
            StringBuilder b = new StringBuilder(target.length() + requestPath.length());
            for (int i = 0; i < target.length(); i++) {
                char c = target.charAt(i);
                if (c == '$' && i + 1 < target.length() && target.charAt(i + 1) >= '1' && target.charAt(i + 1) <= '9') {
                    int g = target.charAt(++i) - '0';
                    String v = found && g <= m.groupCount() ? m.group(g) : null;
                    if (v != null) {
                        b.append(v);
                    }
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        private static boolean isUrl(String target) {
            return target.startsWith("http://") || target.startsWith("https://");
        }
    }

    /**
     * A backend with its endpoints grouped for this table's {@link Locality}, nearest group first, each group
     * with its own round-robin cursor. Grouped once when the table is compiled, so routing a request only walks
     * arrays: no allocation but the decision, no lock.
     */
    /**
     * A backend's endpoints cut into subsets for {@code upstream-hash-by-subset} (ingress-nginx's chashsubset.lua):
     * ceil(n / size) subsets of {@code size} consecutive endpoint indexes, the missing places of the last taken from
     * the start of the list, and a ring of the subsets by name ("set1", "set2", ... as there). Immutable.
     */
    static final class Subsets {
        final int size;
        final int[][] members;
        final HashRing ring;

        private Subsets(int size, int[][] members, HashRing ring) {
            this.size = size;
            this.members = members;
            this.ring = ring;
        }

        static Subsets of(int endpoints, int size) {
            int count = endpoints == 0 ? 0 : (endpoints + size - 1) / size;
            int[][] members = new int[count][size];
            List<String> names = new ArrayList<>(count);
            for (int set = 0; set < count; set++) {
                for (int j = 0; j < size; j++) {
                    members[set][j] = (set * size + j) % endpoints;
                }
                names.add("set" + (set + 1));
            }
            return new Subsets(size, members, HashRing.ofLabels(names));
        }
    }

    static final class CompiledBackend {
        private final Backend backend;
        /** Never empty groups; none when the backend has no endpoints. */
        private final Group[] groups;
        /** The session keys of the endpoints ({@link Sticky}), made on the first sticky request; racy but idempotent. */
        private volatile Map<String, Integer> sessions;
        /** The endpoints' hash ring, made on the first hashed request; racy but idempotent. */
        private volatile HashRing ring;
        /** The subsets of upstream-hash-by-subset and their ring, made on the first such request; racy but idempotent. */
        private volatile Subsets subsets;
        private volatile String sessionKey;

        private final Locality locality;

        CompiledBackend(Backend backend, Locality locality) {
            this.backend = backend;
            this.locality = locality;
            this.groups = Group.of(backend, locality);
        }

        String id() {
            return backend.id();
        }

        /** {@link Sticky#backendKey} of this backend. */
        String sessionKey() {
            String k = sessionKey;
            if (k == null) {
                k = Sticky.backendKey(backend.id());
                sessionKey = k;
            }
            return k;
        }

        /** The index in the backend's endpoints of the one whose {@link Sticky#endpointKey} is {@code key}, or -1. */
        int indexOfSession(String key) {
            Map<String, Integer> m = sessions;
            if (m == null) {
                Map<String, Integer> built = new HashMap<>();
                List<Endpoint> all = backend.endpoints();
                for (int i = 0; i < all.size(); i++) {
                    built.put(Sticky.endpointKey(backend.id(), all.get(i)), i);
                }
                m = Map.copyOf(built);
                sessions = m;
            }
            Integer i = m.get(key);
            return i == null ? -1 : i;
        }

        Endpoint endpointAt(int i) {
            return backend.endpoints().get(i);
        }

        /**
         * The endpoint {@code key} hashes to on the ring when {@code usable} accepts it, else the next one round the
         * ring that it accepts; when it accepts none, the one the key hashes to (panic routing, as {@link #pick}).
         */
        Decision pickByHash(String route, long key, Predicate<Endpoint> usable) {
            HashRing r = ring;
            if (r == null) {
                r = HashRing.of(backend.endpoints());
                ring = r;
            }
            if (r.isEmpty()) {
                return pick(route, usable);
            }
            int start = r.start(key);
            for (int k = 0; k < r.size(); k++) {
                int i = r.owner(start + k);
                if (usable.test(backend.endpoints().get(i))) {
                    return forwardTo(route, i, null);
                }
            }
            return forwardTo(route, r.owner(start), null);
        }

        /**
         * {@code upstream-hash-by-subset}, as ingress-nginx's chashsubset balancer: the endpoints, in the backend's order,
         * cut into consecutive subsets of {@code size} (the last filled up with the first endpoints, so that all are
         * equal), the key hashed onto a ring of the subsets, and a random endpoint of its subset drawn. An endpoint
         * {@code usable} rejects is skipped (ingress-nginx draws blind); a subset with none usable passes the request to
         * the next subset round the ring; when none has one, a random endpoint of the key's subset (panic routing).
         */
        Decision pickBySubset(String route, long key, int size, RequestView request, Predicate<Endpoint> usable) {
            Subsets s = subsets;
            if (s == null || s.size != size) {
                s = Subsets.of(backend.endpoints().size(), size);
                subsets = s;
            }
            if (s.members.length == 0) {
                return pick(route, usable);
            }
            int start = s.ring.start(key);
            for (int k = 0; k < s.members.length; k++) {
                int[] members = s.members[s.ring.owner(start + k)];
                int from = request.draw(members.length);
                for (int j = 0; j < members.length; j++) {
                    int i = members[(from + j) % members.length];
                    if (usable.test(backend.endpoints().get(i))) {
                        return forwardTo(route, i, null);
                    }
                }
            }
            int[] members = s.members[s.ring.owner(start)];
            return forwardTo(route, members[request.draw(members.length)], null);
        }

        /**
         * {@code load-balance: ewma}, ingress-nginx's peak-EWMA with two choices: two endpoints drawn at random from the
         * nearest group with a usable one, the one with the lower {@link RequestView#latency} wins; when neither drawn
         * is usable, the group's next usable one in round-robin order; when no group has one, {@link #pick}.
         */
        Decision pickByLatency(String route, RequestView request, Predicate<Endpoint> usable) {
            for (Group g : groups) {
                int n = g.endpoints.length;
                int i = n == 1 ? 0 : request.draw(n);
                int j = n == 1 ? 0 : request.draw(n - 1);
                if (n > 1 && j >= i) {
                    j++;
                }
                boolean ui = usable.test(g.endpoints[i]);
                boolean uj = usable.test(g.endpoints[j]);
                if (ui && uj && i != j) {
                    int k = request.latency(g.endpoints[j]) < request.latency(g.endpoints[i]) ? j : i;
                    return new Decision.Forward(route, backend.id(), g.endpoints[k], g.tiers[k]);
                }
                if (ui || uj) {
                    int k = ui ? i : j;
                    return new Decision.Forward(route, backend.id(), g.endpoints[k], g.tiers[k]);
                }
                for (int k = 0; k < n; k++) {
                    int m = Math.floorMod(g.cursor.getAndIncrement(), n);
                    if (usable.test(g.endpoints[m])) {
                        return new Decision.Forward(route, backend.id(), g.endpoints[m], g.tiers[m]);
                    }
                }
            }
            return pick(route, usable);
        }

        /** Forwards to the backend's endpoint {@code i}, wherever it runs, for a session kept there. */
        Decision.Forward forwardTo(String route, int i, Sticky sticky) {
            Endpoint e = backend.endpoints().get(i);
            return new Decision.Forward(route, backend.id(), e, locality.tierOf(e, backend.cluster()), null, null,
                    sticky);
        }

        Decision pick(String route, Predicate<Endpoint> usable) {
            if (groups.length == 0) {
                String why = backend.unavailableReason();
                if (backend.tls() != null && why != null && !why.isBlank()) {
                    return new Decision.Unavailable(route, "backend " + backend.id() + " cannot be used: " + why);
                }
                return new Decision.Unavailable(route, "no ready endpoints for backend " + backend.id()
                        + (why == null || why.isBlank() ? "" : ": " + why));
            }
            Decision.Forward f = next(route, usable);
            if (f != null) {
                return f;
            }
            // Every endpoint is ejected: route as if none were (Envoy's panic routing) rather than refuse, to the
            // nearest group. next() moved its cursor on by one already.
            Group g = groups[0];
            int i = Math.floorMod(g.cursor.get(), g.endpoints.length);
            return new Decision.Forward(route, backend.id(), g.endpoints[i], g.tiers[i]);
        }

        /**
         * The next endpoint that {@code usable} accepts in round-robin order within the nearest group that has
         * one (a farther group only when every nearer endpoint is rejected: failover), or null.
         */
        Decision.Forward next(String route, Predicate<Endpoint> usable) {
            for (Group g : groups) {
                int n = g.endpoints.length;
                int start = g.cursor.getAndIncrement();
                for (int k = 0; k < n; k++) {
                    int i = Math.floorMod(start + k, n);
                    if (usable.test(g.endpoints[i])) {
                        return new Decision.Forward(route, backend.id(), g.endpoints[i], g.tiers[i]);
                    }
                }
            }
            return null;
        }

        Serving serving() {
            if (groups.length == 0) {
                return new Serving(List.of(), List.of());
            }
            Group g = groups[0];
            // EnumSet iterates in declaration order: nearest first.
            return new Serving(List.copyOf(EnumSet.copyOf(List.of(g.tiers))), List.of(g.endpoints));
        }
    }

    /** Endpoints served round-robin among themselves, with where each runs. */
    private static final class Group {
        private final Endpoint[] endpoints;
        private final Locality.Tier[] tiers;
        private final AtomicInteger cursor = new AtomicInteger();

        private Group(List<Endpoint> endpoints, List<Locality.Tier> tiers) {
            this.endpoints = endpoints.toArray(new Endpoint[0]);
            this.tiers = tiers.toArray(new Locality.Tier[0]);
        }

        /**
         * Prefer-local: one group per tier that has endpoints, local zone first, then the local cluster, then
         * the other clusters. Balance-all: one group of every endpoint. Endpoints keep the snapshot's order.
         */
        static Group[] of(Backend backend, Locality locality) {
            List<Endpoint> all = backend.endpoints();
            if (all.isEmpty()) {
                return new Group[0];
            }
            List<Locality.Tier> tierOf = new ArrayList<>(all.size());
            for (Endpoint e : all) {
                tierOf.add(locality.tierOf(e, backend.cluster()));
            }
            if (locality.policy() == Locality.Policy.BALANCE_ALL) {
                return new Group[] {new Group(all, tierOf)};
            }
            List<Group> groups = new ArrayList<>();
            for (Locality.Tier t : Locality.Tier.values()) {
                List<Endpoint> members = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    if (tierOf.get(i) == t) {
                        members.add(all.get(i));
                    }
                }
                if (!members.isEmpty()) {
                    groups.add(new Group(members, Collections.nCopies(members.size(), t)));
                }
            }
            return groups.toArray(new Group[0]);
        }
    }
}
