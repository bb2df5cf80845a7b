package dev.signalbox.compiler.compile;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * ingress-nginx's path and redirect annotations of one Ingress (issue 18), parsed and validated as ingress-nginx
 * 1.15 validates them: {@code use-regex}, {@code rewrite-target}, {@code x-forwarded-prefix}, {@code app-root},
 * {@code permanent-redirect} (+ {@code -code}), {@code temporal-redirect} (+ {@code -code}),
 * {@code from-to-www-redirect}, {@code server-alias}. Each is read under {@value Annotations#SIGNALBOX} first, then
 * {@value Annotations#NGINX}.
 *
 * <p>A value ingress-nginx's validators refuse makes ingress-nginx drop the whole Ingress ("invalid annotation
 * value"); here it is an error diagnostic and the Ingress is not routed (empty result). A redirect code out of range
 * takes the default, as there. Pure.
 */
final class PathAnnotations {
    // ingress-nginx's parser.RegexPathWithCapture (rewrite-target, app-root, x-forwarded-prefix) and URLIsValidRegex
    // (the redirect URLs). Both are character classes without nesting: no backtracking to fear on these short values.
    private static final Pattern PATH_WITH_CAPTURE = Pattern.compile("^/?[-._~a-zA-Z0-9/:$]*$");
    private static final Pattern URL_CHARS = Pattern.compile("^[-._~a-zA-Z0-9/:,?&=]*$");

    /**
     * What the annotations ask of every path of the Ingress.
     *
     * @param useRegex      {@code use-regex}: its paths, and every path of its hosts, are regular expressions
     * @param rewriteTarget {@code rewrite-target}, or null
     * @param redirect      the redirect its paths answer with, or null
     * @param appRoot       {@code app-root}, or null
     * @param fromToWww     {@code from-to-www-redirect}
     * @param aliases       {@code server-alias}: more host names for its first host, sorted
     */
    record Spec(boolean useRegex, String rewriteTarget, String forwardedPrefix, RouteOptions.Redirect redirect,
                String appRoot, boolean fromToWww, List<String> aliases) {
        Spec {
            aliases = List.copyOf(aliases);
        }

        /**
         * Whether a path of this Ingress is rewritten: ingress-nginx rewrites only where the target differs from
         * the path ({@code needsRewrite}), and a path it rewrites makes its host's paths regular expressions.
         */
        boolean rewrites(String path) {
            return rewriteTarget != null && !rewriteTarget.equals(path);
        }

        /** Whether this path makes every path of its host a regular expression (ingress-nginx's enforceRegex). */
        boolean forcesRegex(String path) {
            return useRegex || rewrites(path);
        }

        /** The options of the route for {@code path}; {@code hostAppRoot} is the host's app-root, if any. */
        RouteOptions options(String path, String hostAppRoot) {
            boolean rewrite = rewrites(path);
            return RouteOptions.orNull(new RouteOptions(rewrite ? rewriteTarget : null,
                    rewrite ? forwardedPrefix : null, redirect, hostAppRoot, null, null, null, null, null));
        }
    }

    private PathAnnotations() {
    }

    /** The Ingress's settings, or empty (with an error on it) when a value is malformed: then it is not routed. */
    static Optional<Spec> of(ObjectKey key, Map<String, String> annotations, Diagnostics diagnostics) {
        Reader r = new Reader(key, annotations, diagnostics);
        boolean useRegex = r.bool("use-regex");
        String rewrite = r.matching("rewrite-target", PATH_WITH_CAPTURE, "a path with $1..$9 groups");
        String prefix = r.matching("x-forwarded-prefix", PATH_WITH_CAPTURE, "a path");
        String appRoot = r.matching("app-root", PATH_WITH_CAPTURE, "a path");
        if (appRoot != null && !appRoot.startsWith("/")) {
            r.malformed("app-root", appRoot, "a path starting with '/'");
        }
        RouteOptions.Redirect redirect = null;
        String temporal = r.url("temporal-redirect");
        int temporalCode = r.integer("temporal-redirect-code");
        String permanent = r.url("permanent-redirect");
        int permanentCode = r.integer("permanent-redirect-code");
        // ingress-nginx: temporal-redirect wins; a code out of range (300-307, 300-308) is the default.
        if (temporal != null) {
            redirect = new RouteOptions.Redirect(temporalCode >= 300 && temporalCode <= 307 ? temporalCode : 302,
                    temporal, RouteOptions.Redirect.Kind.URL);
        } else if (permanent != null) {
            redirect = new RouteOptions.Redirect(permanentCode >= 300 && permanentCode <= 308 ? permanentCode : 301,
                    permanent, RouteOptions.Redirect.Kind.URL);
        }
        boolean fromToWww = r.bool("from-to-www-redirect");
        List<String> aliases = r.hosts("server-alias");
        if (r.failed) {
            return Optional.empty();
        }
        return Optional.of(new Spec(useRegex, rewrite, prefix, redirect, appRoot, fromToWww, aliases));
    }

    /**
     * Go's strconv.ParseBool, which ingress-nginx's boolean annotations use: 1, t, T, TRUE, true, True and their
     * false forms; null for anything else.
     */
    static Boolean parseBool(String v) {
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }

    /**
     * Reads one Ingress's annotations, noting each malformed value as an error (also {@link LimitAnnotations}' and
     * {@link TrafficAnnotations}').
     */
    static final class Reader {
        private final ObjectKey key;
        private final Map<String, String> annotations;
        private final Diagnostics diagnostics;
        boolean failed;

        Reader(ObjectKey key, Map<String, String> annotations, Diagnostics diagnostics) {
            this.key = key;
            this.annotations = annotations;
            this.diagnostics = diagnostics;
        }

        /** The annotation's full name: ours when set, else ingress-nginx's. */
        String name(String annotation) {
            return annotations.containsKey(Annotations.SIGNALBOX + annotation) ? Annotations.SIGNALBOX + annotation
                    : Annotations.NGINX + annotation;
        }

        /** The trimmed value, or null when absent or empty (ingress-nginx treats an empty value as absent). */
        String value(String annotation) {
            String v = annotations.get(name(annotation));
            return v == null || v.isBlank() ? null : v.trim();
        }

        void malformed(String annotation, String value, String expected) {
            diagnostics.error(key, "annotation " + name(annotation) + ": \"" + value + "\" is not " + expected
                    + "; the Ingress is not routed until it is corrected");
            failed = true;
        }

        /** Go's strconv.ParseBool, which ingress-nginx uses; false when absent or malformed. */
        boolean bool(String annotation) {
            String v = value(annotation);
            Boolean b = v == null ? Boolean.FALSE : parseBool(v);
            if (b == null) {
                malformed(annotation, v, "true or false");
                return false;
            }
            return b;
        }

        /** An integer, or 0 when absent or malformed. */
        int integer(String annotation) {
            String v = value(annotation);
            if (v == null) {
                return 0;
            }
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                malformed(annotation, v, "an integer");
                return 0;
            }
        }

        String matching(String annotation, Pattern allowed, String expected) {
            String v = value(annotation);
            if (v != null && !allowed.matcher(v).matches()) {
                malformed(annotation, v, expected + " (letters, digits and -._~/:$ only)");
                return null;
            }
            return v;
        }

        /** An http or https URL of ingress-nginx's allowed characters. */
        String url(String annotation) {
            String v = value(annotation);
            if (v == null) {
                return null;
            }
            String scheme = v.toLowerCase(Locale.ROOT);
            if (!URL_CHARS.matcher(v).matches() || !(scheme.startsWith("http://") || scheme.startsWith("https://"))) {
                malformed(annotation, v, "an http or https URL (letters, digits and -._~/:,?&= only)");
                return null;
            }
            return v;
        }

        /** A comma-separated list of host names or one-label wildcards, lower case, sorted, without repeats. */
        List<String> hosts(String annotation) {
            String v = value(annotation);
            if (v == null) {
                return List.of();
            }
            TreeSet<String> out = new TreeSet<>();
            for (String part : v.split(",")) {
                String h = part.trim();
                if (h.isEmpty()) {
                    continue;
                }
                String n = Paths.normalizeHost(h);
                if (n == null) {
                    malformed(annotation, v, "a comma-separated list of host names (\"" + h + "\" is not one)");
                    return List.of();
                }
                out.add(n);
            }
            return new ArrayList<>(out);
        }
    }
}
