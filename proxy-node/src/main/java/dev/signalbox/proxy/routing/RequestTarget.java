package dev.signalbox.proxy.routing;

/** Extracts the path routes are matched on from a request target (RFC 9112 3.2). */
final class RequestTarget {
    private RequestTarget() {
    }

    /** The path without query or fragment; absolute-form targets lose their scheme and authority. */
    static String path(String uri) {
        if (uri == null || uri.isEmpty()) {
            return "/";
        }
        String p = uri;
        if (!p.startsWith("/")) {
            int scheme = p.indexOf("://");
            if (scheme > 0) {
                int slash = p.indexOf('/', scheme + 3);
                p = slash < 0 ? "/" : p.substring(slash);
            }
        }
        int end = p.length();
        int q = p.indexOf('?');
        if (q >= 0) {
            end = q;
        }
        int f = p.indexOf('#');
        if (f >= 0 && f < end) {
            end = f;
        }
        p = p.substring(0, end);
        return p.isEmpty() ? "/" : p;
    }
}
