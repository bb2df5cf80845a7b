package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A route's limits and timeouts, from its Ingress's annotations (ingress-nginx's "Limits and timeouts" family, issue
 * 18). Every field is optional: null means the proxy node's own default (its command-line settings, which follow
 * ingress-nginx's ConfigMap defaults).
 *
 * @param bodySize            the largest request body in bytes, 0 for no limit ({@code proxy-body-size}); a larger
 *                            one is 413
 * @param connectTimeout      seconds to connect to an endpoint ({@code proxy-connect-timeout})
 * @param readTimeout         seconds a backend may take to start its response, and the idle time of a tunnel
 *                            ({@code proxy-read-timeout})
 * @param sendTimeout         seconds bytes for the backend may wait unwritten on a tunnel ({@code proxy-send-timeout})
 * @param nextUpstream        when a request goes to another endpoint ({@code proxy-next-upstream}): ingress-nginx's
 *                            tokens ({@code error}, {@code timeout}, {@code http_502}, {@code non_idempotent}, ...)
 *                            sorted without repeats; empty for {@code off}
 * @param nextUpstreamTries   how many endpoints a request may be tried on, the first included; 0 for no limit
 *                            ({@code proxy-next-upstream-tries})
 * @param nextUpstreamTimeout seconds after the request's arrival in which it may still be tried elsewhere; 0 for no
 *                            limit ({@code proxy-next-upstream-timeout})
 * @param rate                requests per client address ({@code limit-rps}, {@code limit-rpm},
 *                            {@code limit-connections}), or null for none
 */
public record ProxyLimits(Long bodySize, Integer connectTimeout, Integer readTimeout, Integer sendTimeout,
                          List<String> nextUpstream, Integer nextUpstreamTries, Integer nextUpstreamTimeout,
                          RateLimit rate) {

    @JsonCreator
    public ProxyLimits {
        nextUpstream = nextUpstream == null ? null : List.copyOf(nextUpstream);
    }

    /** Limits without a rate limit. */
    public ProxyLimits(Long bodySize, Integer connectTimeout, Integer readTimeout, Integer sendTimeout,
                       List<String> nextUpstream, Integer nextUpstreamTries, Integer nextUpstreamTimeout) {
        this(bodySize, connectTimeout, readTimeout, sendTimeout, nextUpstream, nextUpstreamTries, nextUpstreamTimeout,
                null);
    }

    /**
     * How many requests one client address may make to the routes of one Ingress, on each proxy node
     * (ingress-nginx's {@code limit-*} annotations: nginx's {@code limit_req} with {@code nodelay} and
     * {@code limit_conn}, keyed by the client address, one zone per Ingress). A limited request is 503.
     *
     * @param zone            the Ingress whose routes share these counts (cluster/namespace/name), nginx's zone
     * @param rps             requests per second, 0 for no such limit
     * @param rpm             requests per minute, 0 for no such limit
     * @param connections     requests under way at once, 0 for no such limit
     * @param burstMultiplier the burst a rate allows is the rate times this ({@code limit-burst-multiplier}, 5)
     * @param whitelist       client addresses and CIDR blocks never limited ({@code limit-whitelist},
     *                        {@code limit-allowlist}), normalised and sorted; empty for none (an additive field)
     */
    public record RateLimit(String zone, int rps, int rpm, int connections, int burstMultiplier,
                            List<String> whitelist) {
        @JsonCreator
        public RateLimit {
            whitelist = whitelist == null ? List.of() : List.copyOf(whitelist);
        }

        /** Limits that exempt nobody. */
        public RateLimit(String zone, int rps, int rpm, int connections, int burstMultiplier) {
            this(zone, rps, rpm, connections, burstMultiplier, List.of());
        }
    }

    /**
     * An nginx size as ingress-nginx accepts it ({@code parser.SizeRegex}): digits, then optionally {@code b},
     * {@code k}, {@code m} or {@code g} in any case (binary multiples: {@code 1m} is 1,048,576 bytes). The bytes, or
     * -1 when the text is not such a size or does not fit in a long.
     */
    public static long parseSize(String text) {
        var m = SIZE.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        int shift = switch (Character.toLowerCase(m.group(2).isEmpty() ? 'b' : m.group(2).charAt(0))) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
        return n <= (Long.MAX_VALUE >> shift) ? n << shift : -1;
    }

    private static final Pattern SIZE = Pattern.compile("^([0-9]{1,19})([bkmgBKMG]?)$");

    /** Limits that set nothing are no limits. */
    public static ProxyLimits orNull(ProxyLimits l) {
        return l == null || (l.bodySize == null && l.connectTimeout == null && l.readTimeout == null
                && l.sendTimeout == null && l.nextUpstream == null && l.nextUpstreamTries == null
                && l.nextUpstreamTimeout == null && l.rate == null) ? null : l;
    }
}
