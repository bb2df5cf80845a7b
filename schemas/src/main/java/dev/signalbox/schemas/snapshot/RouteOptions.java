package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What a route does besides sending the request to its backend, from its Ingress's annotations (ingress-nginx's
 * names, issue 18). Every field is optional; a route without any has no options at all ({@code Route.options()}
 * null), so tables without annotations encode as before.
 *
 * @param rewriteTarget   the path the backend gets instead of the request's: {@code $1}..{@code $9} are the groups
 *                        of the route's regular expression ({@code rewrite-target}); the query is kept
 * @param forwardedPrefix sent to the backend as {@code X-Forwarded-Prefix} with a rewritten request
 *                        ({@code x-forwarded-prefix}; ingress-nginx sets it only when it rewrites)
 * @param redirect        answer with this redirect instead of proxying ({@code permanent-redirect},
 *                        {@code temporal-redirect}, {@code from-to-www-redirect})
 * @param appRoot         a request for exactly {@code /} on this host gets 302 to this path ({@code app-root})
 * @param limits          body size, timeouts and retries ({@code proxy-body-size}, {@code proxy-*-timeout},
 *                        {@code proxy-next-upstream*}), or null for the node's defaults
 * @param traffic         canary, endpoint choice and upstream Host ({@link Traffic}), or null
 * @param access          who may use the route (source ranges, basic auth, auth-url), or null for anyone
 * @param headers         CORS and the fields set on the route's responses ({@code enable-cors}, {@code cors-*},
 *                        {@code signalbox.dev/response-headers}), or null for none
 * @param errors          the Ingress's default backend and the statuses it answers ({@code default-backend},
 *                        {@code custom-http-errors}), or null
 */
public record RouteOptions(String rewriteTarget, String forwardedPrefix, Redirect redirect, String appRoot,
                           ProxyLimits limits, Traffic traffic, RouteAccess access, HeaderOptions headers,
                           ErrorPages errors) {

    @JsonCreator
    public RouteOptions {
        limits = ProxyLimits.orNull(limits);
        traffic = Traffic.orNull(traffic);
        access = RouteAccess.orNull(access);
        headers = HeaderOptions.orNull(headers);
        errors = ErrorPages.orNull(errors);
    }

    /** Options that do nothing are no options. */
    public static RouteOptions orNull(RouteOptions o) {
        return o == null || (o.rewriteTarget == null && o.forwardedPrefix == null && o.redirect == null
                && o.appRoot == null && o.limits == null && o.traffic == null && o.access == null
                && o.headers == null && o.errors == null) ? null : o;
    }

    /**
     * A redirect answered by the proxy.
     *
     * @param code     the status, 300 to 308
     * @param location for {@link Kind#URL} the Location as is; for {@link Kind#HOST} the host to send the client
     *                 to, with the request's scheme, the port it came in on and its target
     */
    public record Redirect(int code, String location, Kind kind) {
        public enum Kind {
            /** A fixed URL: {@code permanent-redirect}, {@code temporal-redirect}. */
            URL,
            /** The same request on another host: {@code from-to-www-redirect}. */
            HOST
        }
    }
}
