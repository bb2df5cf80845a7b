package dev.signalbox.routing;

import dev.signalbox.schemas.codec.Sha256;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.Traffic;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The session cookie of a request forwarded to a backend with session affinity ({@code affinity: cookie}, issue 18):
 * which endpoint the session is on, and whether the response must set the cookie (a new session, or one moved).
 *
 * <p>The cookie's value is {@code <endpoint key>.<backend key>}: the endpoint key is a hash of the backend's id and
 * the endpoint's address and port, so it names the same endpoint in every snapshot that keeps it and never shows its
 * address; the backend key, a hash of the backend's id, tells a session on a canary's backend from one on the main
 * backend (ingress-nginx's {@code <upstream>|<backend key>} cookie). Immutable; any thread.
 *
 * @param affinity   the cookie's settings
 * @param backendId  the backend the session is on
 * @param endpoint   the endpoint key the cookie names (see {@link #endpointKey})
 * @param set        whether the response sets the cookie
 * @param routePath  the cookie's Path when the affinity names none: the route's path ("/" for a regular expression)
 */
public record Sticky(Traffic.Affinity affinity, String backendId, String endpoint, boolean set, String routePath) {
    private static final HexFormat HEX = HexFormat.of();
    private static final DateTimeFormatter EXPIRES = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** The key of {@code e} in backend {@code backendId}'s session cookies: 16 hex digits of SHA-256. */
    public static String endpointKey(String backendId, Endpoint e) {
        return hash(backendId + " " + e.address() + " " + e.port(), 8);
    }

    /** The key of backend {@code backendId} in its session cookies: 8 hex digits of SHA-256. */
    public static String backendKey(String backendId) {
        return hash(backendId, 4);
    }

    /** The cookie's value. */
    public String value() {
        return endpoint + "." + backendKey(backendId);
    }

    /**
     * The session after a retry moved the request to {@code e}: moved there, cookie set, with
     * {@code session-cookie-change-on-failure}; otherwise this one (the session stays where it was).
     */
    public Sticky retriedOn(Endpoint e) {
        return affinity.changeOnFailure() ? new Sticky(affinity, backendId, endpointKey(backendId, e), true, routePath) : this;
    }

    /**
     * The Set-Cookie field value for the response, or null when the client's cookie stands.
     *
     * @param overTls    whether the request came over TLS (Secure when the affinity does not say)
     * @param userAgent  the request's User-Agent, or null (for {@code session-cookie-conditional-samesite-none})
     * @param nowSeconds the time now in seconds since the epoch, for Expires
     */
    public String setCookie(boolean overTls, String userAgent, long nowSeconds) {
        if (!set) {
            return null;
        }
        StringBuilder b = new StringBuilder(128).append(affinity.cookieName()).append('=').append(value())
                .append("; Path=").append(affinity.path() != null ? affinity.path() : routePath);
        if (affinity.domain() != null) {
            b.append("; Domain=").append(affinity.domain());
        }
        if (affinity.expiresSeconds() != null) {
            b.append("; Expires=").append(EXPIRES.format(Instant.ofEpochSecond(nowSeconds + affinity.expiresSeconds())));
        }
        if (affinity.maxAgeSeconds() != null) {
            b.append("; Max-Age=").append(affinity.maxAgeSeconds());
        }
        if (affinity.secure() != null ? affinity.secure() : overTls) {
            b.append("; Secure");
        }
        b.append("; HttpOnly");
        if (affinity.sameSite() != null && !(affinity.conditionalSameSiteNone() && affinity.sameSite().equals("None")
                && rejectsSameSiteNone(userAgent))) {
            b.append("; SameSite=").append(affinity.sameSite());
        }
        return b.toString();
    }

    /**
     * Whether a client is one of those that reject a cookie with SameSite=None (Chromium's list of incompatible
     * clients, as ingress-nginx's same_site.lua tests it: Chrome 40 to 69, iOS 12, Safari on macOS 10.14).
     */
    static boolean rejectsSameSiteNone(String userAgent) {
        if (userAgent == null) {
            return false;
        }
        return userAgent.contains("Chrome/4") || userAgent.contains("Chrome/5") || userAgent.contains("Chrome/6")
                || userAgent.contains("CPU iPhone OS 12") || userAgent.contains("iPad; CPU OS 12")
                || userAgent.contains("Macintosh") && userAgent.contains("Intel Mac OS X 10_14")
                && userAgent.contains("Safari") && !userAgent.contains("Chrome");
    }

    private static String hash(String s, int bytes) {
        return HEX.formatHex(Sha256.of(s), 0, bytes);
    }
}
