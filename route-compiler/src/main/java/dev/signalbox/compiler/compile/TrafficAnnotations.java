package dev.signalbox.compiler.compile;

import com.google.re2j.PatternSyntaxException;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.Traffic;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ingress-nginx's traffic annotations of one Ingress (issue 18), parsed and validated: the canary ones
 * ({@code canary}, {@code canary-by-header}, {@code canary-by-header-value}, {@code canary-by-header-pattern},
 * {@code canary-by-cookie}, {@code canary-weight}, {@code canary-weight-total}), session affinity
 * ({@code affinity}, {@code affinity-mode}, {@code affinity-canary-behavior}, {@code session-cookie-*}), balancing
 * ({@code upstream-hash-by}, {@code load-balance}) and {@code upstream-vhost}. Each is read under
 * {@value Annotations#SIGNALBOX} first, then {@value Annotations#NGINX}.
 *
 * <p>A malformed value (ingress-nginx logs it and takes the default) is an error on the Ingress, which is then not
 * routed: for a canary Ingress, no request goes to the canary, the safe side. Values end up in Set-Cookie headers
 * and header comparisons, so each is held to a strict character set: nothing an Ingress writes can add an
 * attribute or a header. Pure.
 */
final class TrafficAnnotations {
    /** ingress-nginx's default session cookie name. */
    static final String DEFAULT_COOKIE = "INGRESSCOOKIE";
    // RFC 9110 5.6.2 token: header and cookie names (RFC 6265 4.1.1 cookie-name is a token too).
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$");
    // Visible ASCII and spaces: a header value compared as it is, never written anywhere.
    private static final Pattern HEADER_VALUE = Pattern.compile("^[\\x20-\\x7e]{1,256}$");
    // RFC 6265 4.1.1 path-value without ';' and controls, narrowed to the characters paths use.
    private static final Pattern COOKIE_PATH = Pattern.compile("^/[-._~a-zA-Z0-9/%:@+=!$&'()*,]{0,255}$");
    private static final Pattern COOKIE_DOMAIN = Pattern.compile("^\\.?[a-zA-Z0-9]([-a-zA-Z0-9.]{0,252})$");
    // A host name or address with an optional port: what the backend's Host header may become.
    private static final Pattern VHOST = Pattern.compile("^[a-zA-Z0-9]([-a-zA-Z0-9.]{0,252})(:[0-9]{1,5})?$");
    // upstream-hash-by: nginx variables ($name) and text, only hashed, never written anywhere.
    private static final Pattern HASH_KEY = Pattern.compile("^(\\$[a-z_][a-z0-9_]*|[\\x20-\\x23\\x25-\\x7e])+$");
    private static final Pattern VARIABLE = Pattern.compile("\\$([a-z_][a-z0-9_]*)");
    /** The variables a hash key may name: ingress-nginx's usual ones, and http_, cookie_ and arg_ of any name. */
    static final java.util.Set<String> VARIABLES = java.util.Set.of("request_uri", "uri", "args", "query_string",
            "remote_addr", "host", "scheme");

    /**
     * What the annotations ask of the Ingress's routes.
     *
     * @param canary   non-null for a canary Ingress ({@code canary: "true"}): its rules, without the backend yet
     * @param balancer how its routes' backends choose endpoints (for a canary Ingress: the canary's backend; its
     *                 affinity counts only with {@code legacyCanaryAffinity}), or null
     * @param upstreamVhost {@code upstream-vhost}, or null
     * @param legacyCanaryAffinity {@code affinity-canary-behavior: legacy}: a canary keeps its own affinity, not the
     *                 main route's
     */
    record Spec(CanaryRules canary, Traffic.Balancer balancer, String upstreamVhost, boolean legacyCanaryAffinity) {
        Traffic.Affinity affinity() {
            return balancer == null ? null : balancer.affinity();
        }

        /** The traffic of an ordinary Ingress's routes, or null. */
        Traffic traffic() {
            return Traffic.orNull(new Traffic(null, balancer, upstreamVhost));
        }
    }

    /** A canary's rules; {@link #of(String, String, Traffic.Affinity)} gives the route's {@link Traffic.Canary}. */
    record CanaryRules(String header, String headerValue, String headerPattern, String cookie, int weight,
                       int weightTotal) {
        Traffic.Canary of(String backend, String source, Traffic.Balancer balancer) {
            return new Traffic.Canary(backend, source, header, headerValue, headerPattern, cookie, weight, weightTotal,
                    balancer);
        }
    }

    /** ingress-nginx's upstream-hash-by-subset-size default. */
    static final int DEFAULT_SUBSET_SIZE = 3;

    private TrafficAnnotations() {
    }

    /** The Ingress's settings, or empty (with an error on it) when a value is malformed: then it is not routed. */
    static Optional<Spec> of(ObjectKey key, Map<String, String> annotations, Diagnostics diagnostics) {
        PathAnnotations.Reader r = new PathAnnotations.Reader(key, annotations, diagnostics);
        boolean canary = r.bool("canary");
        CanaryRules rules = null;
        if (canary) {
            String header = r.value("canary-by-header");
            if (header != null && !TOKEN.matcher(header).matches()) {
                r.malformed("canary-by-header", header, "a header name");
            }
            String headerValue = r.value("canary-by-header-value");
            if (headerValue != null && !HEADER_VALUE.matcher(headerValue).matches()) {
                r.malformed("canary-by-header-value", headerValue, "a header value of visible ASCII characters");
            }
            String headerPattern = r.value("canary-by-header-pattern");
            if (headerPattern != null) {
                try {
                    com.google.re2j.Pattern.compile(headerPattern);
                } catch (PatternSyntaxException e) {
                    r.malformed("canary-by-header-pattern", headerPattern, "a regular expression Signalbox accepts "
                            + "(RE2 syntax: no backreferences or lookaround): " + e.getDescription());
                }
            }
            String cookie = r.value("canary-by-cookie");
            if (cookie != null && !TOKEN.matcher(cookie).matches()) {
                r.malformed("canary-by-cookie", cookie, "a cookie name");
            }
            Long weightGiven = number(r, "canary-weight", 0, Integer.MAX_VALUE, "an integer, 0 or more");
            Long totalGiven = number(r, "canary-weight-total", 1, Integer.MAX_VALUE, "a positive integer");
            int weight = weightGiven == null ? 0 : weightGiven.intValue();
            int weightTotal = totalGiven == null ? 100 : totalGiven.intValue();
            if (weight > weightTotal) {
                r.malformed("canary-weight", String.valueOf(weight), "at most the canary-weight-total, " + weightTotal);
            }
            // ingress-nginx ignores canary-by-header-value and -pattern without canary-by-header, and the pattern
            // when a value is set.
            rules = new CanaryRules(header, header == null ? null : headerValue,
                    header == null || headerValue != null ? null : headerPattern, cookie, weight, weightTotal);
        } else {
            for (String name : new String[] {"canary-by-header", "canary-by-header-value", "canary-by-header-pattern",
                    "canary-by-cookie", "canary-weight", "canary-weight-total"}) {
                if (r.value(name) != null) {
                    diagnostics.warning(key, "annotation " + r.name(name) + " is ignored: " + r.name("canary")
                            + " is not \"true\"");
                }
            }
        }
        Traffic.Affinity affinity = affinity(r);
        String behaviour = r.value("affinity-canary-behavior");
        if (behaviour != null && !behaviour.equals("sticky") && !behaviour.equals("legacy")) {
            r.malformed("affinity-canary-behavior", behaviour, "sticky or legacy");
        }
        String hashBy = r.value("upstream-hash-by");
        if (hashBy != null && (hashBy.length() > 256 || !HASH_KEY.matcher(hashBy).matches())) {
            r.malformed("upstream-hash-by", hashBy, "nginx variables ($request_uri, $remote_addr, $host, ...) and text");
        } else if (hashBy != null) {
            java.util.regex.Matcher m = VARIABLE.matcher(hashBy);
            while (m.find()) {
                String v = m.group(1);
                if (!VARIABLES.contains(v) && !v.startsWith("http_") && !v.startsWith("cookie_") && !v.startsWith("arg_")) {
                    r.malformed("upstream-hash-by", hashBy, "made of variables Signalbox knows ($" + v + " is not one: "
                            + "request_uri, uri, args, query_string, remote_addr, host, scheme, http_*, cookie_*, arg_*)");
                    break;
                }
            }
        }
        Integer subsetSize = hashSubsetSize(key, r, hashBy, diagnostics);
        String loadBalance = r.value("load-balance");
        if (loadBalance != null && !loadBalance.equals("round_robin") && !loadBalance.equals("ewma")) {
            r.malformed("load-balance", loadBalance, "round_robin or ewma");
        }
        String vhost = r.value("upstream-vhost");
        if (vhost != null && !VHOST.matcher(vhost).matches()) {
            r.malformed("upstream-vhost", vhost, "a host name with an optional port");
        }
        if (r.failed) {
            return Optional.empty();
        }
        Traffic.Balancer balancer = Traffic.Balancer.orNull(new Traffic.Balancer(affinity, hashBy,
                "ewma".equals(loadBalance) ? loadBalance : null, subsetSize));
        return Optional.of(new Spec(rules, balancer, vhost, "legacy".equals(behaviour)));
    }

    /**
     * {@code upstream-hash-by-subset} (a boolean) and {@code upstream-hash-by-subset-size} (default 3, ingress-nginx's):
     * the subset size, or null without subsets. Subsets only change how {@code upstream-hash-by} picks, so without it
     * they are ignored with a warning (ingress-nginx ignores them silently). A size that is no positive integer is an
     * error (ingress-nginx takes 3).
     */
    private static Integer hashSubsetSize(ObjectKey key, PathAnnotations.Reader r, String hashBy, Diagnostics diagnostics) {
        boolean subset = r.bool("upstream-hash-by-subset");
        Long size = number(r, "upstream-hash-by-subset-size", 1, 1000, "a positive integer (at most 1000)");
        if (!subset) {
            return null;
        }
        if (hashBy == null) {
            diagnostics.warning(key, "annotation " + r.name("upstream-hash-by-subset") + " is ignored without "
                    + Annotations.NGINX + "upstream-hash-by");
            return null;
        }
        return size == null ? DEFAULT_SUBSET_SIZE : size.intValue();
    }

    /** {@code affinity: cookie} with its cookie's settings, or null without affinity. */
    private static Traffic.Affinity affinity(PathAnnotations.Reader r) {
        String type = r.value("affinity");
        if (type == null) {
            return null;
        }
        if (!type.equals("cookie")) {
            r.malformed("affinity", type, "cookie (the only affinity ingress-nginx has)");
            return null;
        }
        String mode = r.value("affinity-mode");
        if (mode != null && !mode.equals("balanced") && !mode.equals("persistent")) {
            r.malformed("affinity-mode", mode, "balanced or persistent");
        }
        String name = r.value("session-cookie-name");
        if (name == null) {
            name = DEFAULT_COOKIE;
        } else if (!TOKEN.matcher(name).matches()) {
            r.malformed("session-cookie-name", name, "a cookie name (RFC 6265 token)");
        }
        String path = r.value("session-cookie-path");
        if (path != null && !COOKIE_PATH.matcher(path).matches()) {
            r.malformed("session-cookie-path", path, "a path starting with '/' (no ';', spaces or controls)");
        }
        String domain = r.value("session-cookie-domain");
        if (domain != null && !COOKIE_DOMAIN.matcher(domain).matches()) {
            r.malformed("session-cookie-domain", domain, "a domain name");
        }
        Long maxAge = seconds(r, "session-cookie-max-age");
        Long expires = seconds(r, "session-cookie-expires");
        Boolean secure = r.value("session-cookie-secure") == null ? null : r.bool("session-cookie-secure");
        String sameSite = r.value("session-cookie-samesite");
        if (sameSite != null) {
            String s = sameSite.toLowerCase(Locale.ROOT);
            sameSite = switch (s) {
                case "none" -> "None";
                case "lax" -> "Lax";
                case "strict" -> "Strict";
                default -> {
                    r.malformed("session-cookie-samesite", sameSite, "None, Lax or Strict");
                    yield null;
                }
            };
        }
        return new Traffic.Affinity(name, path, domain, maxAge, expires, secure, sameSite,
                r.bool("session-cookie-conditional-samesite-none"), r.bool("session-cookie-change-on-failure"),
                "persistent".equals(mode));
    }

    /** A number of seconds, 0 or more (at most about a century), or null when absent or malformed. */
    private static Long seconds(PathAnnotations.Reader r, String annotation) {
        return number(r, annotation, 0, 3_155_760_000L, "a number of seconds, 0 or more");
    }

    /** An integer from {@code min} to {@code max}, or null when absent or malformed (then an error). */
    private static Long number(PathAnnotations.Reader r, String annotation, long min, long max, String expected) {
        String v = r.value(annotation);
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        r.malformed(annotation, v, expected);
        return null;
    }
}
