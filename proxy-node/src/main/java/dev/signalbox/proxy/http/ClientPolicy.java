package dev.signalbox.proxy.http;

import java.time.Duration;

/**
 * How the public listeners treat a client connection before and between its requests.
 *
 * @param headerTimeout    how long a client may take to send a request head, from the connection's start or
 *                         from the first byte of a later request (nginx's {@code client_header_timeout}, 60 s)
 * @param keepaliveTimeout how long a kept-alive HTTP/1.1 connection may sit idle between a response and the next
 *                         request (nginx's {@code keepalive_timeout}, 75 s)
 * @param proxyProtocol    whether every connection starts with a PROXY protocol v1 or v2 header (a load balancer
 *                         in front such as AWS NLB or HAProxy); a connection without a valid one is closed
 * @param maxBodyBytes     the largest request body of a route without {@code proxy-body-size}, 0 for no limit
 *                         (ingress-nginx's ConfigMap {@code proxy-body-size}, 1m)
 */
public record ClientPolicy(Duration headerTimeout, Duration keepaliveTimeout, boolean proxyProtocol, long maxBodyBytes) {
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(75);
    public static final ClientPolicy DEFAULT = new ClientPolicy(DEFAULT_HEADER_TIMEOUT, DEFAULT_KEEPALIVE_TIMEOUT, false);

    public ClientPolicy {
        if (headerTimeout.isNegative() || headerTimeout.isZero() || keepaliveTimeout.isNegative()
                || keepaliveTimeout.isZero()) {
            throw new IllegalArgumentException("client timeouts must be positive");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("the body size limit must be 0 (none) or positive");
        }
    }

    /** With ingress-nginx's default body size limit, 1m. */
    public ClientPolicy(Duration headerTimeout, Duration keepaliveTimeout, boolean proxyProtocol) {
        this(headerTimeout, keepaliveTimeout, proxyProtocol, RouteLimits.DEFAULT_MAX_BODY_BYTES);
    }
}
