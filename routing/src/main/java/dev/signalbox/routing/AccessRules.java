package dev.signalbox.routing;

import dev.signalbox.schemas.net.CidrSet;
import dev.signalbox.schemas.snapshot.RouteAccess;

/**
 * A route's {@link RouteAccess} compiled once per table: its source ranges as {@link CidrSet}s, so that checking a
 * client is a binary search. The credentials are checked by the proxy, which alone can open them. Immutable; any
 * thread.
 */
public final class AccessRules {
    private final RouteAccess access;
    private final CidrSet allow;
    private final CidrSet deny;
    private final AuthTarget authTarget;

    private AccessRules(RouteAccess access, CidrSet allow, CidrSet deny) {
        this.access = access;
        this.allow = allow;
        this.deny = deny;
        this.authTarget = access.externalAuth() == null ? null : AuthTarget.of(access.externalAuth().url());
    }

    /**
     * Where an {@code auth-url} request goes, parsed once per table.
     *
     * @param host      the URL's host (an IP literal without brackets, or a DNS name)
     * @param port      its port, or 80/443 by the scheme
     * @param tls       https
     * @param target    the path and query to request ({@code /} when the URL has no path)
     * @param authority the Host field to send: the URL's host and port as written
     */
    public record AuthTarget(String host, int port, boolean tls, String target, String authority) {
        /** The target of an http or https URL (the compiler checked it), or null when it does not parse. */
        static AuthTarget of(String url) {
            try {
                java.net.URI u = new java.net.URI(url);
                boolean tls = "https".equalsIgnoreCase(u.getScheme());
                String host = u.getHost();
                if (host == null) {
                    return null;
                }
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
                String target = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
                return new AuthTarget(host, u.getPort() > 0 ? u.getPort() : tls ? 443 : 80, tls, target,
                        u.getRawAuthority());
            } catch (java.net.URISyntaxException e) {
                return null;
            }
        }
    }

    /**
     * The rules of {@code access}. Blocks the compiler wrote are valid; should one not parse (a snapshot from a newer
     * compiler), the route is denied rather than opened.
     */
    static AccessRules of(RouteAccess access) {
        try {
            return new AccessRules(access, CidrSet.of(access.allowSourceRanges()), CidrSet.of(access.denySourceRanges()));
        } catch (IllegalArgumentException e) {
            return new AccessRules(new RouteAccess(access.allowSourceRanges(), access.denySourceRanges(),
                    access.basicAuth(), access.externalAuth(), "source ranges that do not parse: " + e.getMessage()), CidrSet.EMPTY, CidrSet.EMPTY);
        }
    }

    /** What the snapshot says. */
    public RouteAccess access() {
        return access;
    }

    /**
     * Whether a client at {@code address} (an IP literal) passes the source ranges: not in a denied block (nginx's
     * {@code deny} lines come first), and in an allowed block when there are any ({@code allow ...; deny all;}).
     */
    public boolean sourceAllowed(String address) {
        if (!deny.isEmpty() && deny.contains(address)) {
            return false;
        }
        return allow.isEmpty() || allow.contains(address);
    }

    /** Why every request gets 503, or null. */
    public String denied() {
        return access.denied();
    }

    /** The external authentication to ask, or null. */
    public RouteAccess.ExternalAuth externalAuth() {
        return access.externalAuth();
    }

    /** Where {@link #externalAuth()} is asked; null when there is none or its URL does not parse. */
    public AuthTarget authTarget() {
        return authTarget;
    }

    /** The basic authentication to check, or null. */
    public RouteAccess.BasicAuth basicAuth() {
        return access.basicAuth();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessRules r && r.access.equals(access);
    }

    @Override
    public int hashCode() {
        return access.hashCode();
    }

    @Override
    public String toString() {
        return access.toString();
    }
}
