package dev.signalbox.routing;

import dev.signalbox.schemas.snapshot.Endpoint;

/**
 * What the canary's and session affinity's rules read of a request besides its host and path (issue 18), and their
 * source of randomness, so that the routing decision stays pure. The proxy adapts its request headers and a
 * thread-local random; {@link #NONE} is a request without headers or cookies whose weighted draws never pick a
 * canary unless it takes every request ({@code explain}).
 */
public interface RequestView {
    /** A request without headers or cookies, whose draws return the highest value. */
    RequestView NONE = new RequestView() {
        @Override
        public String header(String name) {
            return null;
        }

        @Override
        public String cookie(String name) {
            return null;
        }

        @Override
        public int draw(int bound) {
            return bound - 1;
        }

        @Override
        public String variable(String name) {
            return null;
        }
    };

    /** The first value of header {@code name} (any case), or null. */
    String header(String name);

    /** The value of cookie {@code name} sent in the request's Cookie header(s), or null. */
    String cookie(String name);

    /** A random number from 0 to {@code bound - 1}, each equally likely. */
    int draw(int bound);

    /**
     * The value of nginx variable {@code name} (without "$") for {@code upstream-hash-by}: {@code request_uri},
     * {@code uri}, {@code args}, {@code query_string}, {@code remote_addr}, {@code host}, {@code scheme},
     * {@code http_<header>}, {@code cookie_<name>}, {@code arg_<name>}; null when the request has none.
     */
    String variable(String name);

    /**
     * The proxy's decayed average response time of {@code endpoint} in seconds, for {@code load-balance: ewma}; 0
     * when it has none. Reading it marks the decision as one whose response time is to be measured.
     */
    default double latency(Endpoint endpoint) {
        return 0;
    }

    /**
     * The value of cookie {@code name} in one Cookie header ({@code a=1; b=2}, RFC 6265 5.4), or null: the first pair
     * with that name, its value without surrounding double quotes.
     */
    static String cookieIn(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        int n = cookieHeader.length();
        int i = 0;
        while (i < n) {
            while (i < n && (cookieHeader.charAt(i) == ' ' || cookieHeader.charAt(i) == '\t')) {
                i++;
            }
            int end = cookieHeader.indexOf(';', i);
            if (end < 0) {
                end = n;
            }
            int eq = cookieHeader.indexOf('=', i);
            if (eq > i && eq < end && eq - i == name.length() && cookieHeader.regionMatches(i, name, 0, name.length())) {
                String v = cookieHeader.substring(eq + 1, end).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
            i = end + 1;
        }
        return null;
    }
}
