package dev.signalbox.proxy.http;

import java.util.Locale;

/**
 * The {@code Location} of the 308 a plain-HTTP request gets when its route is served over HTTPS only
 * (ingress-nginx's {@code ssl-redirect}): {@code https://}, the Host without its port, the public HTTPS
 * port unless it is 443, then the request target as the client sent it. Pure.
 */
public final class HttpsRedirect {
    private HttpsRedirect() {
    }

    /**
     * @param hostHeader      the Host field as sent (maybe with a port, maybe an IPv6 literal)
     * @param requestTarget   the request target as sent: origin-form, or absolute-form whose path is kept
     * @param publicHttpsPort the port clients reach the HTTPS listener on
     * @return the location, or null when there is no usable host to redirect to
     */
    public static String location(String hostHeader, String requestTarget, int publicHttpsPort) {
        String host = hostWithoutPort(hostHeader);
        if (host.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder("https://").append(host);
        if (publicHttpsPort != 443) {
            b.append(':').append(publicHttpsPort);
        }
        return b.append(originForm(requestTarget)).toString();
    }

    /**
     * Whether the client's request came over HTTPS, as the redirect to HTTPS asks: over this connection's TLS, or,
     * from a trusted proxy (a load balancer that terminated TLS in front), as the first value of its
     * X-Forwarded-Proto says (ingress-nginx's {@code $pass_access_scheme} with {@code use-forwarded-headers}).
     * From any other peer the field is not believed (it is removed before the backend sees it).
     */
    public static boolean overHttps(boolean overTls, String forwardedProto, boolean fromTrustedPeer) {
        if (overTls) {
            return true;
        }
        if (!fromTrustedPeer || forwardedProto == null) {
            return false;
        }
        int comma = forwardedProto.indexOf(',');
        return (comma < 0 ? forwardedProto : forwardedProto.substring(0, comma)).trim().equalsIgnoreCase("https");
    }

    private static String hostWithoutPort(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? "" : h.substring(0, close + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }

    /** RFC 9112 3.2: the path and query of the target; an absolute-form target loses scheme and authority. */
    static String originForm(String target) {
        if (target == null || target.isEmpty() || target.equals("*")) {
            return "/";
        }
        if (target.startsWith("/")) {
            return target;
        }
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return "/";
        }
        int slash = target.indexOf('/', scheme + 3);
        int query = target.indexOf('?', scheme + 3);
        if (slash < 0 || (query >= 0 && query < slash)) {
            return "/" + (query < 0 ? "" : target.substring(query));
        }
        return target.substring(slash);
    }
}
