package dev.signalbox.compiler.compile;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The header annotations of one Ingress (issue 18), for every route it has: ingress-nginx's CORS ({@code enable-cors},
 * {@code cors-allow-origin}, {@code -methods}, {@code -headers}, {@code -credentials}, {@code -expose-headers},
 * {@code -max-age}, each also under {@value Annotations#SIGNALBOX}, which wins) with its defaults, and
 * {@code signalbox.dev/response-headers}, Signalbox's {@code more_set_headers}: {@code Name: value} lines set on every
 * response of the Ingress's routes.
 *
 * <p>Every value ends up in response heads, so it is hostile input: names must be RFC 9110 tokens, values visible
 * ASCII with inner spaces (no CR, LF, NUL or other control), and no annotation may set a framing, hop-by-hop or
 * identity field. A value that breaks this is an error on the Ingress and the Ingress is not routed (empty result).
 * ingress-nginx instead falls back to its defaults for a malformed CORS value (to {@code *} for a malformed
 * {@code cors-allow-origin}); an origin without a scheme, which it skips silently, is skipped here with a warning.
 * Pure.
 */
final class HeaderAnnotations {
    static final String RESPONSE_HEADERS = Annotations.SIGNALBOX + "response-headers";
    static final String DEFAULT_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    static final String DEFAULT_HEADERS =
            "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
    static final long DEFAULT_MAX_AGE = 1728000;

    // ingress-nginx's cors-allow-origin validator, per entry (corsOriginRegexValidator): a scheme is optional there...
    private static final Pattern ORIGIN_SYNTAX = Pattern.compile("(?:[a-z]+://)?(?:\\*\\.)?[A-Za-z0-9.-]*(?::\\d+)?");
    // ...but its parser (corsOriginRegex) keeps only the entries with one. Neither pattern nests quantifiers.
    private static final Pattern ORIGIN = Pattern.compile("[a-z]+://(?:\\*\\.)?[A-Za-z0-9.-]*(?::\\d+)?");

    /**
     * Fields no annotation may set: the message's framing and connection (RFC 9110 7.6.1, RFC 9112 6), the identity
     * fields only the proxy writes, and the proxy's own.
     */
    private static final Set<String> REFUSED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length", "host", "forwarded", "x-real-ip", "x-original-forwarded-for",
            "x-signalbox-version", "x-request-id");
    private static final List<String> REFUSED_PREFIXES = List.of("x-forwarded-", "ssl-client-");

    /** What adds nothing: an Ingress without header annotations. */
    static final HeaderOptions NONE = new HeaderOptions(null, List.of());

    private HeaderAnnotations() {
    }

    /**
     * The Ingress's header options ({@link #NONE} when it sets none), or empty (with an error on it) when a value is
     * malformed: then it is not routed.
     */
    static Optional<HeaderOptions> of(ObjectKey key, Map<String, String> annotations, Diagnostics diagnostics) {
        PathAnnotations.Reader r = new PathAnnotations.Reader(key, annotations, diagnostics);
        HeaderOptions.Cors cors = r.bool("enable-cors") ? cors(key, r, diagnostics) : null;
        List<HeaderOptions.Field> fields = responseFields(key, annotations.get(RESPONSE_HEADERS), diagnostics);
        if (r.failed || fields == null) {
            return Optional.empty();
        }
        return Optional.of(new HeaderOptions(cors, fields));
    }

    /** {@code options} with the Ingress's header options; unchanged when they add nothing. */
    static RouteOptions attach(RouteOptions options, HeaderOptions headers) {
        if (HeaderOptions.orNull(headers) == null) {
            return options;
        }
        RouteOptions o = options == null ? new RouteOptions(null, null, null, null, null, null, null, null, null) : options;
        return new RouteOptions(o.rewriteTarget(), o.forwardedPrefix(), o.redirect(), o.appRoot(), o.limits(),
                o.traffic(), o.access(), headers, o.errors());
    }

    private static HeaderOptions.Cors cors(ObjectKey key, PathAnnotations.Reader r, Diagnostics diagnostics) {
        List<String> origins = origins(key, r, diagnostics);
        String methods = tokens(r, "cors-allow-methods", DEFAULT_METHODS);
        String headers = tokens(r, "cors-allow-headers", DEFAULT_HEADERS);
        String expose = tokens(r, "cors-expose-headers", null);
        // Go's ParseBool as for every boolean, but absent is true here (ingress-nginx's default).
        boolean credentials = r.value("cors-allow-credentials") == null || r.bool("cors-allow-credentials");
        long maxAge = DEFAULT_MAX_AGE;
        if (r.value("cors-max-age") != null) {
            maxAge = r.integer("cors-max-age");
            if (maxAge < 0) {
                r.malformed("cors-max-age", r.value("cors-max-age"), "a number of seconds (0 or more)");
            }
        }
        return new HeaderOptions.Cors(origins, methods, headers, credentials, expose, maxAge);
    }

    /**
     * {@code cors-allow-origin}: absent or blank is {@code *}; a {@code *} entry makes it {@code *} whatever else is
     * listed (ingress-nginx stops at it); entries ingress-nginx's validator refuses are an error; entries without a
     * scheme, which its parser drops, are dropped with a warning.
     */
    private static List<String> origins(ObjectKey key, PathAnnotations.Reader r, Diagnostics diagnostics) {
        String v = r.value("cors-allow-origin");
        if (v == null) {
            return List.of("*");
        }
        List<String> out = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String o = part.strip();
            if (!o.isEmpty() && !o.equals("*") && !o.equals("null") && !ORIGIN_SYNTAX.matcher(o).matches()) {
                r.malformed("cors-allow-origin", printable(v), "a comma-separated list of origins "
                        + "(scheme://host[:port], scheme://*.domain[:port], null or *; \"" + printable(o) + "\" is not one)");
                return List.of();
            }
        }
        for (String part : v.split(",", -1)) {
            String o = part.strip();
            if (o.equals("*")) {
                return List.of("*");
            }
            if (o.equals("null") || ORIGIN.matcher(o).matches()) {
                out.add(o);
            } else if (!o.isEmpty()) {
                diagnostics.warning(key, "annotation " + r.name("cors-allow-origin") + ": \"" + o + "\" has no scheme "
                        + "(https://" + o + "?) and never matches an Origin; ignored, as ingress-nginx ignores it");
            }
        }
        return List.copyOf(out);
    }

    /**
     * A comma-separated list of RFC 9110 tokens (methods or field names), as written; {@code absent} when the
     * annotation is absent or blank. Empty list elements are allowed (RFC 9110 5.6.1).
     */
    private static String tokens(PathAnnotations.Reader r, String annotation, String absent) {
        String v = r.value(annotation);
        if (v == null) {
            return absent;
        }
        for (String part : v.split(",", -1)) {
            String t = stripOws(part);
            if (!t.isEmpty() && !isToken(t)) {
                r.malformed(annotation, printable(v), "a comma-separated list of tokens (letters, digits and "
                        + "!#$%&'*+-.^_`|~; \"" + printable(t) + "\" is not one)");
                return absent;
            }
        }
        return v;
    }

    /**
     * {@code signalbox.dev/response-headers}: one {@code Name: value} per line, blank lines ignored; null (with an
     * error) when a line is malformed, names a field no annotation may set, or repeats a name.
     */
    private static List<HeaderOptions.Field> responseFields(ObjectKey key, String value, Diagnostics diagnostics) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<HeaderOptions.Field> out = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        String[] lines = value.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripOws(lines[i]);
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1) + " (\"" + printable(line) + "\")";
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon);
            String v = colon < 0 ? "" : stripOws(line.substring(colon + 1));
            String problem;
            if (colon < 0 || !isToken(name)) {
                problem = "is not \"Name: value\" with a field name of letters, digits and !#$%&'*+-.^_`|~";
            } else if (!isFieldValue(v)) {
                problem = "has a value with characters a header cannot carry (CR, LF, NUL, other controls, or "
                        + "non-ASCII)";
            } else if (refused(name)) {
                problem = "sets " + name + ", which only the proxy writes (framing, connection and identity fields)";
            } else if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                problem = "sets " + name + " a second time";
            } else {
                out.add(new HeaderOptions.Field(name, v));
                continue;
            }
            diagnostics.error(key, "annotation " + RESPONSE_HEADERS + ": " + where + " " + problem
                    + "; the Ingress is not routed until it is corrected");
            return null;
        }
        return List.copyOf(out);
    }

    static boolean refused(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return REFUSED.contains(n) || REFUSED_PREFIXES.stream().anyMatch(n::startsWith);
    }

    /** RFC 9110 5.6.2: {@code token = 1*tchar}. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 5.5 without obs-text: visible ASCII, with spaces and tabs inside; empty is allowed (a removal). */
    private static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 0x21 && c <= 0x7e || c == ' ' || c == '\t')) {
                return false;
            }
        }
        return true;
    }

    /** Without leading and trailing spaces and tabs (RFC 9110 OWS); other whitespace stays, to be refused. */
    private static String stripOws(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** {@code s} safe to quote in a diagnostic: controls and non-ASCII as {@code \xNN}/{@code \\uNNNN} escapes. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                b.append(c);
            } else if (c <= 0xff) {
                b.append(String.format("\\x%02X", (int) c));
            } else {
                b.append(String.format("\\u%04X", (int) c));
            }
        }
        return b.toString();
    }
}
