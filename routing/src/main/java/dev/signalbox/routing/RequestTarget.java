package dev.signalbox.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * The request target (RFC 9112 3.2) turned into the path routes are matched on and the target the backend
 * receives, or the reason it is refused with 400. Normalising before matching means a request reaches
 * exactly the route its normalised path selects: {@code /public/../admin} is {@code /admin} for routing
 * and for the backend alike, so a backend cannot be reached through a path it resolves differently.
 *
 * <p>Rules, in order (see proxy-node/DESIGN.md, "Paths"):
 * <ol>
 *   <li>{@code *} is accepted for OPTIONS only, matched as {@code /} and forwarded as {@code *};
 *       absolute-form (http or https, no userinfo) loses its scheme, and its authority becomes the Host;
 *       any other target not starting with {@code /} is refused.</li>
 *   <li>The query (and a fragment, which clients should not send) is split off; the query is forwarded as sent
 *       but for the escaping of raw bytes (step 3).</li>
 *   <li>In the path, a {@code %} must be followed by two hex digits, and neither NUL nor {@code %00} may appear.
 *       Encoded unreserved characters (RFC 3986 2.3) are decoded, every other escape is kept with upper-case
 *       hex (RFC 3986 6.2.2.1): {@code %2F} stays an escape and never separates segments. Raw control
 *       characters and bytes outside ASCII are percent-encoded, in the query too.</li>
 *   <li>Runs of {@code /} become one (as nginx's {@code merge_slashes on}).</li>
 *   <li>{@code .} and {@code ..} segments are removed (RFC 3986 5.2.4), including encoded ones
 *       ({@code %2e%2e}, decoded in step 3); {@code ..} above the root stays at the root.</li>
 * </ol>
 * The backend receives the normalised path followed by the original query.
 */
public sealed interface RequestTarget {
    /**
     * A target the proxy routes: {@code path} for matching, {@code forwardUri} as the backend's request target,
     * and for an absolute-form target its {@code authority}, which replaces the Host field (RFC 9112 3.2.2);
     * null for the other forms.
     */
    record Valid(String path, String forwardUri, String authority) implements RequestTarget {
        public Valid(String path, String forwardUri) {
            this(path, forwardUri, null);
        }
    }

    /** A target the proxy refuses with 400 and {@code reason}. */
    record Invalid(String reason) implements RequestTarget {
    }

    /**
     * Parses the target of one request as Netty decodes it, one char per byte; {@code method} is the
     * request method's name.
     */
    static RequestTarget parse(String method, String uri) {
        if (uri == null || uri.isEmpty()) {
            return new Invalid("empty request target");
        }
        for (int i = 0; i < uri.length(); i++) {
            if (uri.charAt(i) == 0 || uri.charAt(i) > 0xff) {
                return new Invalid(uri.charAt(i) == 0 ? "request target contains NUL"
                        : "request target contains a character that is not one byte");
            }
        }
        if (uri.equals("*")) {
            // RFC 9112 3.2.4: asterisk-form is only for a server-wide OPTIONS.
            return "OPTIONS".equals(method) ? new Valid("/", "*")
                    : new Invalid("request target * is only allowed with OPTIONS");
        }
        String target = uri;
        String authority = null;
        if (!target.startsWith("/")) {
            int scheme = target.indexOf("://");
            if (scheme <= 0) {
                return new Invalid("request target is not a path starting with /: " + uri);
            }
            String name = target.substring(0, scheme);
            if (!name.equalsIgnoreCase("http") && !name.equalsIgnoreCase("https")) {
                return new Invalid("request target has a scheme other than http or https: " + uri);
            }
            int slash = target.indexOf('/', scheme + 3);
            int query = target.indexOf('?', scheme + 3);
            int authorityEnd = slash < 0 ? (query < 0 ? target.length() : query) : (query < 0 ? slash : Math.min(slash, query));
            authority = target.substring(scheme + 3, authorityEnd);
            if (authority.indexOf('@') >= 0) {
                // RFC 9110 4.2.4: userinfo is deprecated in http(s) URIs, and a common phishing device.
                return new Invalid("request target has userinfo in its authority: " + uri);
            }
            if (slash < 0 || (query >= 0 && query < slash)) {
                // RFC 9112 3.2.2: an absolute-form target with an empty path means "/".
                target = "/" + (query < 0 ? "" : target.substring(query));
            } else {
                target = target.substring(slash);
            }
        }
        int end = target.length();
        int fragment = target.indexOf('#');
        if (fragment >= 0) {
            end = fragment;
        }
        int q = target.indexOf('?');
        String query = null;
        if (q >= 0 && q < end) {
            query = target.substring(q + 1, end);
            end = q;
        }
        String raw = target.substring(0, end);
        String path;
        if (isNormal(raw)) {
            // The usual path, which steps 3 to 5 would leave as it is: checked without copying it.
            path = raw;
        } else {
            String decoded = decodeUnreserved(raw);
            if (decoded == null) {
                return new Invalid("request path has invalid percent-encoding or an encoded NUL: " + uri);
            }
            path = removeDotSegments(mergeSlashes(decoded));
        }
        return new Valid(path, query == null ? path : path + "?" + escapeRaw(query), authority);
    }

    /**
     * Whether a path (starting with "/") is already what steps 3 to 5 make of it: printable ASCII without
     * {@code %}, no empty segment but maybe the last, no "." or ".." segment.
     */
    private static boolean isNormal(String path) {
        int n = path.length();
        for (int i = 1; i < n; i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '%') {
                return false;
            }
            if (c == '/' && path.charAt(i - 1) == '/') {
                return false;
            }
            if (c == '.' && path.charAt(i - 1) == '/') {
                char next = i + 1 < n ? path.charAt(i + 1) : '/';
                char afterNext = i + 2 < n ? path.charAt(i + 2) : '/';
                if (next == '/' || (next == '.' && afterNext == '/')) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Decodes escapes of unreserved characters, upper-cases the others; null if an escape is invalid or NUL. */
    private static String decodeUnreserved(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                appendEscapedIfRaw(out, c);
                continue;
            }
            if (i + 2 >= path.length()) {
                return null;
            }
            int hi = Character.digit(path.charAt(i + 1), 16);
            int lo = Character.digit(path.charAt(i + 2), 16);
            if (hi < 0 || lo < 0 || path.charAt(i + 1) > 'f' || path.charAt(i + 2) > 'f') {
                return null;
            }
            char decoded = (char) (hi * 16 + lo);
            if (decoded == 0) {
                return null;
            }
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    /**
     * Appends {@code c}, percent-encoded when it is a control character or a byte outside ASCII. Netty decodes
     * the request line one char per byte (ISO-8859-1) but encodes it as UTF-8, so a raw byte such as the
     * 0xC3 of an unencoded "é" would reach the backend as two bytes; its escape carries the byte unchanged.
     */
    private static void appendEscapedIfRaw(StringBuilder out, char c) {
        if (c > ' ' && c < 0x7f) {
            out.append(c);
        } else {
            String hex = "0123456789ABCDEF";
            out.append('%').append(hex.charAt((c >> 4) & 0xf)).append(hex.charAt(c & 0xf));
        }
    }

    private static String escapeRaw(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) > ' ' && s.charAt(i) < 0x7f) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (; i < s.length(); i++) {
            appendEscapedIfRaw(out, s.charAt(i));
        }
        return out.toString();
    }

    /** RFC 3986 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static String mergeSlashes(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || out.length() == 0 || out.charAt(out.length() - 1) != '/') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * RFC 3986 5.2.4 for a path that starts with "/" and has no empty segment but maybe the last: a "." or
     * ".." segment goes away ("..", with the segment before it), and a path that ended in one ends in "/".
     */
    private static String removeDotSegments(String path) {
        String[] segments = path.substring(1).split("/", -1);
        List<String> kept = new ArrayList<>();
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".") || s.equals("..")) {
                if (s.equals("..") && !kept.isEmpty()) {
                    kept.remove(kept.size() - 1);
                }
                trailingSlash = last;
            } else {
                kept.add(s);
            }
        }
        String joined = "/" + String.join("/", kept);
        return trailingSlash && !kept.isEmpty() ? joined + "/" : joined;
    }
}
