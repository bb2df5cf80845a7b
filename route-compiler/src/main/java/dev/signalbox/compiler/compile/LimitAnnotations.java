package dev.signalbox.compiler.compile;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.net.CidrSet;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.schemas.snapshot.RouteOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * ingress-nginx's "Limits and timeouts" annotations of one Ingress (issue 18), validated as ingress-nginx 1.15's
 * validators do: {@code proxy-body-size} and {@code client-body-buffer-size} (nginx sizes), {@code proxy-connect-timeout},
 * {@code proxy-read-timeout}, {@code proxy-send-timeout} (whole seconds), {@code proxy-next-upstream} (its tokens),
 * {@code proxy-next-upstream-tries} and {@code proxy-next-upstream-timeout} (integers). Each is read under
 * {@value Annotations#SIGNALBOX} first, then {@value Annotations#NGINX}.
 *
 * <p>A value ingress-nginx's validators refuse drops the whole Ingress there; here it is an error diagnostic and the
 * Ingress is not routed (empty result), like the path annotations. {@code client-body-buffer-size} is only validated:
 * the proxy streams bodies and buffers none. Pure.
 */
final class LimitAnnotations {
    private static final Pattern SECONDS = Pattern.compile("^[0-9]{1,9}$");
    /** The tokens of ingress-nginx's validUpstreamAnnotation, {@code off} aside. */
    private static final Set<String> NEXT_UPSTREAM = Set.of("error", "timeout", "invalid_header", "http_500",
            "http_502", "http_503", "http_504", "http_403", "http_404", "http_429", "non_idempotent");
    /** The Ingress sets none of these annotations. */
    static final ProxyLimits NONE = new ProxyLimits(null, null, null, null, null, null, null);

    private LimitAnnotations() {
    }

    /**
     * The Ingress's limits ({@link #NONE} when it sets none), or empty (with an error on it) when a value is
     * malformed: then it is not routed.
     */
    static Optional<ProxyLimits> of(ObjectKey key, Map<String, String> annotations, Diagnostics diagnostics) {
        PathAnnotations.Reader r = new PathAnnotations.Reader(key, annotations, diagnostics);
        Long bodySize = size(r, "proxy-body-size");
        size(r, "client-body-buffer-size");
        Integer connect = whole(r, "proxy-connect-timeout", 1, SECONDS_TEXT);
        Integer read = whole(r, "proxy-read-timeout", 1, SECONDS_TEXT);
        Integer send = whole(r, "proxy-send-timeout", 1, SECONDS_TEXT);
        List<String> next = nextUpstream(r);
        Integer tries = whole(r, "proxy-next-upstream-tries", 0, NO_LIMIT_TEXT);
        Integer nextTimeout = whole(r, "proxy-next-upstream-timeout", 0, NO_LIMIT_TEXT);
        ProxyLimits.RateLimit rate = rate(r, key.clusterId() + "/" + key.shortName());
        if (r.failed) {
            return Optional.empty();
        }
        return Optional.of(new ProxyLimits(bodySize, connect, read, send, next, tries, nextTimeout, rate));
    }

    /**
     * {@code limit-rps}, {@code limit-rpm}, {@code limit-connections} (0 or absent: no such limit),
     * {@code limit-burst-multiplier} (5) and {@code limit-whitelist} (or its newer name {@code limit-allowlist}, which
     * wins); null when no limit is set, as ingress-nginx writes no zone then.
     */
    private static ProxyLimits.RateLimit rate(PathAnnotations.Reader r, String zone) {
        Integer rps = whole(r, "limit-rps", 0, NO_LIMIT_TEXT);
        Integer rpm = whole(r, "limit-rpm", 0, NO_LIMIT_TEXT);
        Integer connections = whole(r, "limit-connections", 0, NO_LIMIT_TEXT);
        Integer multiplier = whole(r, "limit-burst-multiplier", 1, "a whole number, at least 1");
        List<String> whitelist = blocks(r, r.value("limit-allowlist") != null ? "limit-allowlist" : "limit-whitelist");
        int perSecond = rps == null ? 0 : rps;
        int perMinute = rpm == null ? 0 : rpm;
        int atOnce = connections == null ? 0 : connections;
        if (perSecond == 0 && perMinute == 0 && atOnce == 0) {
            return null;
        }
        return new ProxyLimits.RateLimit(zone, perSecond, perMinute, atOnce,
                multiplier == null ? DEFAULT_BURST_MULTIPLIER : multiplier, whitelist);
    }

    /** A comma-separated list of IP addresses and CIDR blocks, normalised ({@link CidrSet#block}), sorted, once each. */
    private static List<String> blocks(PathAnnotations.Reader r, String annotation) {
        String v = r.value(annotation);
        if (v == null) {
            return List.of();
        }
        TreeSet<String> out = new TreeSet<>();
        for (String part : v.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(CidrSet.block(part).text());
            } catch (IllegalArgumentException e) {
                r.malformed(annotation, v, "a comma-separated list of IP addresses and CIDR blocks (" + e.getMessage() + ")");
                return List.of();
            }
        }
        return List.copyOf(out);
    }

    /** ingress-nginx's {@code limit-burst-multiplier} default. */
    static final int DEFAULT_BURST_MULTIPLIER = 5;

    /** {@code options} with {@code limits} added: the route's whole options, or null when it has none. */
    static RouteOptions attach(RouteOptions options, ProxyLimits limits) {
        ProxyLimits l = ProxyLimits.orNull(limits);
        if (l == null) {
            return options;
        }
        RouteOptions o = options == null ? new RouteOptions(null, null, null, null, null, null, null, null, null) : options;
        return new RouteOptions(o.rewriteTarget(), o.forwardedPrefix(), o.redirect(), o.appRoot(), l, o.traffic(),
                o.access(), o.headers(), o.errors());
    }

    /** An nginx size (bytes, or k, m, g: binary multiples), or null when absent or malformed. */
    private static Long size(PathAnnotations.Reader r, String annotation) {
        String v = r.value(annotation);
        if (v == null) {
            return null;
        }
        long bytes = ProxyLimits.parseSize(v);
        if (bytes >= 0) {
            return bytes;
        }
        r.malformed(annotation, v, "a size (bytes, or a number with k, m or g, e.g. 8m; 0 for no limit)");
        return null;
    }

    private static final String SECONDS_TEXT = "a whole number of seconds, at least 1";
    private static final String NO_LIMIT_TEXT = "a whole number (0 for no limit)";

    /** A whole number of at least {@code min}, or null when absent or malformed ({@code expected} says what it must be). */
    private static Integer whole(PathAnnotations.Reader r, String annotation, int min, String expected) {
        String v = r.value(annotation);
        if (v == null) {
            return null;
        }
        if (SECONDS.matcher(v).matches() && Integer.parseInt(v) >= min) {
            return Integer.parseInt(v);
        }
        r.malformed(annotation, v, expected);
        return null;
    }

    /** The tokens, sorted without repeats; empty for {@code off} (which wins, as in nginx); null when absent. */
    private static List<String> nextUpstream(PathAnnotations.Reader r) {
        String v = r.value("proxy-next-upstream");
        if (v == null) {
            return null;
        }
        TreeSet<String> tokens = new TreeSet<>();
        boolean off = false;
        for (String t : v.split("\\s+")) {
            if (t.equals("off")) {
                off = true;
            } else if (NEXT_UPSTREAM.contains(t)) {
                tokens.add(t);
            } else {
                r.malformed("proxy-next-upstream", v, "a list of error, timeout, invalid_header, http_500, http_502, "
                        + "http_503, http_504, http_403, http_404, http_429, non_idempotent or off");
                return null;
            }
        }
        return off ? List.of() : List.copyOf(tokens);
    }
}
