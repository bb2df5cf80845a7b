package dev.signalbox.routing;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.Traffic;
import java.util.function.Predicate;

/**
 * A route's {@link Traffic} compiled once per table: which backend a request goes to, the main one or its canary,
 * and which endpoint when that backend keeps sessions. ingress-nginx's balancer.lua order: a session already on
 * the main backend stays there, a session on the canary stays there, then the canary's header, its cookie, and last
 * a weighted draw. Immutable; any event loop routes with it concurrently (the draw is the caller's, thread-local).
 */
final class TrafficSplit {
    private final Traffic.Canary canary;
    private final CompiledTable.CompiledBackend canaryBackend;
    /** canary-by-header-pattern, compiled once (RE2J: linear time, whatever the header holds). */
    private final Pattern headerPattern;
    private final Traffic.Affinity mainAffinity;
    private final Traffic.Affinity canaryAffinity;
    private final HashKey mainHash;
    private final HashKey canaryHash;
    /** upstream-hash-by-subset-size of each, or 0 to hash onto single endpoints. */
    private final int mainSubset;
    private final int canarySubset;
    private final boolean mainEwma;
    private final boolean canaryEwma;
    private final String cookiePath;

    TrafficSplit(Route route, Traffic traffic, CompiledTable.CompiledBackend canaryBackend) {
        this.canary = canaryBackend == null ? null : traffic.canary();
        this.canaryBackend = canaryBackend;
        this.headerPattern = canary == null || canary.headerPattern() == null ? null : pattern(canary.headerPattern());
        this.mainAffinity = traffic.affinity();
        this.canaryAffinity = canary == null ? null : canary.affinity();
        this.mainHash = hashKey(traffic.balancer());
        this.canaryHash = canary == null ? null : hashKey(canary.balancer());
        this.mainSubset = subset(traffic.balancer());
        this.canarySubset = canary == null ? 0 : subset(canary.balancer());
        this.mainEwma = ewma(traffic.balancer());
        this.canaryEwma = canary != null && ewma(canary.balancer());
        this.cookiePath = route.match() == PathMatch.REGEX ? "/" : route.path();
    }

    /** The route's traffic compiled, or null when it has none. */
    static TrafficSplit of(Route route, java.util.function.Function<String, CompiledTable.CompiledBackend> backends) {
        Traffic t = route.options() == null ? null : route.options().traffic();
        if (t == null) {
            return null;
        }
        return new TrafficSplit(route, t, t.canary() == null ? null : backends.apply(t.canary().backend()));
    }

    /** The canary's backend id, or null. */
    String canaryBackendId() {
        return canary == null ? null : canary.backend();
    }

    /** Picks the backend, then the endpoint, for one request. */
    Decision pick(String label, CompiledTable.CompiledBackend main, RequestView request, Predicate<Endpoint> usable) {
        boolean toCanary = canary != null && toCanary(main, request);
        CompiledTable.CompiledBackend b = toCanary ? canaryBackend : main;
        Traffic.Affinity affinity = toCanary ? canaryAffinity : mainAffinity;
        if (affinity != null) {
            // Session affinity wins over upstream-hash-by, as in ingress-nginx's get_implementation.
            return sticky(label, b, affinity, request, usable);
        }
        HashKey hash = toCanary ? canaryHash : mainHash;
        if (hash != null) {
            int subset = toCanary ? canarySubset : mainSubset;
            return subset > 0 ? b.pickBySubset(label, hash.hash(request), subset, request, usable)
                    : b.pickByHash(label, hash.hash(request), usable);
        }
        return (toCanary ? canaryEwma : mainEwma) ? b.pickByLatency(label, request, usable) : b.pick(label, usable);
    }

    private static boolean ewma(Traffic.Balancer b) {
        return b != null && "ewma".equals(b.loadBalance());
    }

    private static int subset(Traffic.Balancer b) {
        return b == null || b.hashSubsetSize() == null ? 0 : b.hashSubsetSize();
    }

    private static HashKey hashKey(Traffic.Balancer b) {
        return b == null || b.hashBy() == null ? null : HashKey.parse(b.hashBy());
    }

    private boolean toCanary(CompiledTable.CompiledBackend main, RequestView request) {
        if (mainAffinity != null && sessionOn(main, mainAffinity, request)) {
            return false;
        }
        if (canaryAffinity != null && sessionOn(canaryBackend, canaryAffinity, request)) {
            return true;
        }
        if (canary.header() != null) {
            String h = request.header(canary.header());
            if (h != null) {
                if (canary.headerValue() != null) {
                    if (canary.headerValue().equals(h)) {
                        return true;
                    }
                } else if (canary.headerPattern() != null) {
                    if (headerPattern != null && headerPattern.matcher(h).find()) {
                        return true;
                    }
                } else if (h.equals("always")) {
                    return true;
                } else if (h.equals("never")) {
                    return false;
                }
            }
        }
        if (canary.cookie() != null) {
            String c = request.cookie(canary.cookie());
            if ("always".equals(c)) {
                return true;
            }
            if ("never".equals(c)) {
                return false;
            }
        }
        return canary.weight() > 0 && request.draw(canary.weightTotal()) < canary.weight();
    }

    /** Whether the request's session cookie is one of backend {@code b}'s (its endpoint may be gone). */
    private static boolean sessionOn(CompiledTable.CompiledBackend b, Traffic.Affinity a, RequestView request) {
        String v = request.cookie(a.cookieName());
        int dot = v == null ? -1 : v.lastIndexOf('.');
        return dot >= 0 && v.regionMatches(dot + 1, b.sessionKey(), 0, b.sessionKey().length())
                && v.length() - dot - 1 == b.sessionKey().length();
    }

    /**
     * The session's endpoint when the cookie names a usable one of {@code b}; otherwise the balancer's pick, with a
     * new cookie when the session had none or its endpoint is gone (ingress-nginx's sticky balancer), and when it was
     * ejected only with change-on-failure (else the session returns once the endpoint is back).
     */
    private Decision sticky(String label, CompiledTable.CompiledBackend b, Traffic.Affinity a, RequestView request,
                            Predicate<Endpoint> usable) {
        String v = request.cookie(a.cookieName());
        boolean ejected = false;
        if (v != null && sessionOn(b, a, request)) {
            String key = v.substring(0, v.lastIndexOf('.'));
            int i = b.indexOfSession(key);
            if (i >= 0) {
                if (usable.test(b.endpointAt(i))) {
                    return b.forwardTo(label, i, new Sticky(a, b.id(), key, false, cookiePath));
                }
                ejected = true;
            }
        }
        Decision d = b.pick(label, usable);
        if (!(d instanceof Decision.Forward f)) {
            return d;
        }
        boolean set = !ejected || a.changeOnFailure();
        String key = set ? Sticky.endpointKey(b.id(), f.endpoint()) : v.substring(0, v.lastIndexOf('.'));
        return f.withSticky(new Sticky(a, b.id(), key, set, cookiePath));
    }

    private static Pattern pattern(String p) {
        try {
            return Pattern.compile(p);
        } catch (PatternSyntaxException e) {
            // The compiler refuses these; one that slips through matches nothing.
            return null;
        }
    }
}
