package dev.signalbox.compiler.compile;

import dev.signalbox.schemas.snapshot.PathMatch;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Validation and ordering of Ingress hosts and paths (networking.k8s.io/v1 IngressRule, HTTPIngressPath). */
final class Paths {
    // RFC 1123 subdomain, lower case; a wildcard is "*." followed by one.
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /**
     * Routes in precedence order: longest path first, then Exact before Prefix, then by path. Regular expressions
     * (a host's paths are all regular expressions or none is) in ingress-nginx's location order, which nginx tries
     * first to last: longest first, then by path in reverse order.
     */
    static final Comparator<dev.signalbox.schemas.snapshot.Route> PRECEDENCE =
            Comparator.comparingInt((dev.signalbox.schemas.snapshot.Route r) -> -conflictKey(r.path(), r.match()).length())
                    .thenComparing(dev.signalbox.schemas.snapshot.Route::match)
                    .thenComparing((a, b) -> a.match() == PathMatch.REGEX && b.match() == PathMatch.REGEX
                            ? b.path().compareTo(a.path()) : a.path().compareTo(b.path()));

    private Paths() {
    }

    /** The pathType as a match, or empty with the reason in {@code why}. */
    static Optional<PathMatch> match(String pathType) {
        if (pathType == null) {
            return Optional.empty();
        }
        return switch (pathType) {
            case "Exact" -> Optional.of(PathMatch.EXACT);
            // ImplementationSpecific is ours to define: Signalbox treats it exactly as Prefix.
            case "Prefix", "ImplementationSpecific" -> Optional.of(PathMatch.PREFIX);
            default -> Optional.empty();
        };
    }

    /** Why {@code path} is not an acceptable path, or null; a regular expression may contain '?'. */
    static String invalidPath(String path, boolean regex) {
        if (path == null || path.isEmpty()) {
            return "a path is required";
        }
        if (!path.startsWith("/")) {
            return "path \"" + path + "\" does not start with '/'";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f || (c == '?' && !regex) || c == '#') {
                return "path \"" + path + "\" contains a character not allowed in a path (space, control, '?' or '#')";
            }
        }
        return null;
    }

    /**
     * The form two paths conflict under: Prefix paths compare element-wise, so a trailing '/' does not
     * change what they match ("/foo" and "/foo/" are the same route).
     */
    static String conflictKey(String path, PathMatch match) {
        if (match == PathMatch.PREFIX && path.length() > 1 && path.endsWith("/")) {
            return path.substring(0, path.length() - 1);
        }
        return path;
    }

    /** The host in lower case, or null when it is not a valid host or one-label wildcard. */
    static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        String rest = h.startsWith("*.") ? h.substring(2) : h;
        if (rest.isEmpty() || rest.length() > 253) {
            return null;
        }
        for (String label : rest.split("\\.", -1)) {
            if (label.length() > 63 || !DNS_LABEL.matcher(label).matches()) {
                return null;
            }
        }
        return h;
    }
}
