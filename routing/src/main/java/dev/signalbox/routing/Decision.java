package dev.signalbox.routing;

import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.ProxyLimits;

/** What the proxy does with one request, decided from the compiled table alone. */
public sealed interface Decision {
    /** The metrics label of the route that decided: "host/path", "(default)" or "(none)". */
    String route();

    /**
     * What the route that decided adds to its responses (CORS, response fields), or null: none, or no route
     * matched. The proxy's only cost for a route without them is this null.
     */
    default HeaderOptions headers() {
        return null;
    }

    /**
     * Send the request to {@code endpoint} of backend {@code backendId}, which runs in {@code locality} as seen
     * from this proxy; {@code limits} are the route's body size, timeouts and retries, null for the node's defaults;
     * {@code sticky} is the session cookie when the backend keeps sessions (issue 18), else null; {@code headers}
     * what the route adds to its responses, else null; {@code errors} the statuses the route's default backend
     * answers instead of the backend ({@code custom-http-errors}), else null.
     */
    record Forward(String route, String backendId, Endpoint endpoint, Locality.Tier locality, Rewrite rewrite,
                   ProxyLimits limits, Sticky sticky, HeaderOptions headers, ErrorPages errors) implements Decision {
        /** A request forwarded with the path it came with. */
        public Forward(String route, String backendId, Endpoint endpoint, Locality.Tier locality) {
            this(route, backendId, endpoint, locality, null, null, null, null, null);
        }

        /** A request forwarded without session affinity. */
        public Forward(String route, String backendId, Endpoint endpoint, Locality.Tier locality, Rewrite rewrite,
                       ProxyLimits limits) {
            this(route, backendId, endpoint, locality, rewrite, limits, null, null, null);
        }

        /** A request forwarded without header options. */
        public Forward(String route, String backendId, Endpoint endpoint, Locality.Tier locality, Rewrite rewrite,
                       ProxyLimits limits, Sticky sticky) {
            this(route, backendId, endpoint, locality, rewrite, limits, sticky, null, null);
        }

        /** A request forwarded without error pages. */
        public Forward(String route, String backendId, Endpoint endpoint, Locality.Tier locality, Rewrite rewrite,
                       ProxyLimits limits, Sticky sticky, HeaderOptions headers) {
            this(route, backendId, endpoint, locality, rewrite, limits, sticky, headers, null);
        }

        Forward withRewrite(Rewrite r) {
            return r == null ? this : new Forward(route, backendId, endpoint, locality, r, limits, sticky, headers, errors);
        }

        Forward withLimits(ProxyLimits l) {
            return l == null ? this : new Forward(route, backendId, endpoint, locality, rewrite, l, sticky, headers, errors);
        }

        Forward withSticky(Sticky s) {
            return new Forward(route, backendId, endpoint, locality, rewrite, limits, s, headers, errors);
        }

        Forward withHeaders(HeaderOptions h) {
            return new Forward(route, backendId, endpoint, locality, rewrite, limits, sticky, h, errors);
        }

        Forward withErrors(ErrorPages e) {
            return e == null ? this : new Forward(route, backendId, endpoint, locality, rewrite, limits, sticky, headers, e);
        }
    }

    /**
     * The backend gets {@code path} (then the request's query) instead of the request's path
     * ({@code rewrite-target}) when that is not null, {@code X-Forwarded-Prefix: forwardedPrefix} when that is not
     * null, and {@code Host: host} when that is not null ({@code upstream-vhost}).
     */
    record Rewrite(String path, String forwardedPrefix, String host) {
        /** A path rewrite, the request's Host kept. */
        public Rewrite(String path, String forwardedPrefix) {
            this(path, forwardedPrefix, null);
        }
    }

    /**
     * The proxy answers with a redirect ({@code app-root}, {@code permanent-redirect}, {@code temporal-redirect},
     * {@code from-to-www-redirect}, a {@code rewrite-target} that is a URL); see {@link Target} for the Location.
     */
    record Redirect(String route, int status, Target target, String value, HeaderOptions headers) implements Decision {
        public Redirect(String route, int status, Target target, String value) {
            this(route, status, target, value, null);
        }

        /** How the Location is made from {@code value}. */
        public enum Target {
            /** {@code value} as it is. */
            URL,
            /** The request's scheme, {@code value} as the host, the port it came in on, its target without a final '/'. */
            HOST,
            /** The request's scheme and Host field, then {@code value} (a path). */
            PATH
        }
    }

    /** A route matched but its backend has no ready endpoint: 503 with {@code reason}. */
    record Unavailable(String route, String reason, HeaderOptions headers) implements Decision {
        public Unavailable(String route, String reason) {
            this(route, reason, null);
        }
    }

    /**
     * A plain-HTTP request for a route served over HTTPS only ({@code Route.httpsRedirect()}): 308 to the
     * same host and target over HTTPS.
     */
    record RedirectToHttps(String route, HeaderOptions headers) implements Decision {
        public RedirectToHttps(String route) {
            this(route, null);
        }
    }

    /**
     * The route restricts who may use it ({@code whitelist-source-range}, {@code denylist-source-range}, basic
     * authentication): the proxy checks {@code rules} for the request, then does {@code then} (a {@link Forward} or
     * {@link Unavailable}; redirects are answered before access is checked, as nginx's rewrite phase runs before its
     * access phase).
     */
    record Restricted(String route, AccessRules rules, Decision then) implements Decision {
        /**
         * Those of {@code then}: a CORS preflight is answered before access is checked (nginx's rewrite phase), and a
         * refusal carries the route's fields, as headers-more sets them on every status.
         */
        @Override
        public HeaderOptions headers() {
            return then.headers();
        }
    }

    /** Nothing matched and there is no default backend: 404 with {@code reason}. */
    record NotFound(String route, String reason) implements Decision {
    }
}
