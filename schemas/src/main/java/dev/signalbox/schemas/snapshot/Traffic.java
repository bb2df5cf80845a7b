package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * How a route spreads its requests, from ingress-nginx's traffic annotations (issue 18): a canary backend that
 * takes some of them, how an endpoint is chosen (session affinity by cookie, consistent hashing), and the Host the
 * backend gets. Every field is optional; a route without any has none ({@code RouteOptions.traffic()} null).
 *
 * @param canary        a second backend that takes the requests its rules pick (a canary Ingress for the same host
 *                      and path), or null
 * @param balancer      how the route's own backend's endpoint is chosen, or null for round robin
 * @param upstreamVhost the Host header the backend gets instead of the request's ({@code upstream-vhost}), or null
 */
public record Traffic(Canary canary, Balancer balancer, String upstreamVhost) {

    @JsonCreator
    public Traffic {
        balancer = Balancer.orNull(balancer);
    }

    /** Null when no part is set. */
    public static Traffic orNull(Traffic t) {
        return t == null || (t.canary == null && t.balancer == null && t.upstreamVhost == null) ? null : t;
    }

    /** The route's own backend's session affinity, or null. */
    public Affinity affinity() {
        return balancer == null ? null : balancer.affinity();
    }

    /**
     * How one backend's endpoint is chosen for a request: by its session cookie when it keeps sessions (which wins,
     * as in ingress-nginx), else by a consistent hash of {@code hashBy}, else round robin.
     *
     * @param affinity    sticky sessions by cookie, or null
     * @param hashBy      {@code upstream-hash-by}: a key of nginx variables ({@code $request_uri}, {@code $remote_addr},
     *                    {@code $host}, ...) and text, hashed onto a ring of the endpoints; or null
     * @param loadBalance {@code load-balance}: {@code ewma}, or null for round robin
     * @param hashSubsetSize {@code upstream-hash-by-subset-size} with {@code upstream-hash-by-subset}: the key picks
     *                    one of the subsets of this many endpoints (consecutive, the last filled up from the first),
     *                    and the request goes to a random endpoint of it; null to hash onto single endpoints
     */
    public record Balancer(Affinity affinity, String hashBy, String loadBalance, Integer hashSubsetSize) {
        @JsonCreator
        public Balancer {
        }

        /** Without subsets. */
        public Balancer(Affinity affinity, String hashBy, String loadBalance) {
            this(affinity, hashBy, loadBalance, null);
        }

        /** Null when it asks for nothing but round robin. */
        public static Balancer orNull(Balancer b) {
            return b == null || (b.affinity == null && b.hashBy == null && b.loadBalance == null) ? null : b;
        }
    }

    /**
     * The canary of a route: a request goes to {@code backend} when, in this order, its header says so, its
     * cookie says so, or a weighted draw does ({@code canary-by-header}, {@code canary-by-cookie},
     * {@code canary-weight}).
     *
     * @param backend       the {@link Backend#id()} of the canary's Service
     * @param source        the canary Ingress, as cluster/namespace/name
     * @param header        the request header that decides ({@code always}/{@code never}, or see below), or null
     * @param headerValue   the header's value that sends to the canary (any other value decides nothing), or null
     * @param headerPattern a regular expression (RE2) the header's value must contain a match of, used when
     *                      {@code headerValue} is null; or null
     * @param cookie        the cookie that decides ({@code always}/{@code never}), or null
     * @param weight        how many of {@code weightTotal} requests the canary gets when nothing else decided
     * @param weightTotal   the weight of all requests, at least 1 (ingress-nginx's default: 100)
     * @param balancer      how the canary's backend's endpoint is chosen, or null for round robin
     */
    public record Canary(String backend, String source, String header, String headerValue, String headerPattern,
                         String cookie, int weight, int weightTotal, Balancer balancer) {
        @JsonCreator
        public Canary {
            balancer = Balancer.orNull(balancer);
        }

        /** The canary's backend's session affinity, or null. */
        public Affinity affinity() {
            return balancer == null ? null : balancer.affinity();
        }
    }

    /**
     * Sticky sessions by cookie ({@code affinity: cookie}): the cookie names the endpoint that served the client
     * (a hash of its address, never the address), and later requests carrying it go there while it is ready.
     *
     * @param cookieName      {@code session-cookie-name}
     * @param path            {@code session-cookie-path}, or null for the route's path
     * @param domain          {@code session-cookie-domain}, or null
     * @param maxAgeSeconds   {@code session-cookie-max-age}, or null
     * @param expiresSeconds  {@code session-cookie-expires}: Expires this many seconds after the response, or null
     * @param secure          {@code session-cookie-secure}; null: Secure when the request came over TLS
     * @param sameSite        {@code session-cookie-samesite}: None, Lax or Strict, or null
     * @param conditionalSameSiteNone {@code session-cookie-conditional-samesite-none}: no SameSite=None for clients
     *                        known to reject it
     * @param changeOnFailure {@code session-cookie-change-on-failure}: a request retried on another endpoint moves
     *                        the session there
     * @param persistent      {@code affinity-mode: persistent}
     */
    public record Affinity(String cookieName, String path, String domain, Long maxAgeSeconds, Long expiresSeconds,
                           Boolean secure, String sameSite, boolean conditionalSameSiteNone, boolean changeOnFailure,
                           boolean persistent) {
        @JsonCreator
        public Affinity {
        }
    }
}
