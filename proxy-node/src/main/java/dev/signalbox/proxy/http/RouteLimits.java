package dev.signalbox.proxy.http;

import dev.signalbox.schemas.snapshot.ProxyLimits;
import java.time.Duration;

/**
 * The limits one request is served under: its route's annotations ({@link ProxyLimits} in the snapshot) over the
 * node's defaults. Pure and immutable; an exchange resolves its own on the event loop.
 *
 * @param maxBodyBytes   the largest request body, 0 for no limit; a larger one is 413 ({@code proxy-body-size})
 * @param connectTimeout how long connecting to an endpoint may take, null for the node's ({@code proxy-connect-timeout})
 * @param readTimeout    how long the response head may take after the request was sent, and a tunnel's silence
 *                       ({@code proxy-read-timeout})
 * @param sendTimeout    how long bytes for the backend may wait unwritten on a tunnel ({@code proxy-send-timeout})
 * @param nextUpstream   when the request goes to another endpoint ({@code proxy-next-upstream*})
 */
public record RouteLimits(long maxBodyBytes, Duration connectTimeout, Duration readTimeout, Duration sendTimeout,
                          NextUpstream nextUpstream) {
    /** ingress-nginx's {@code proxy-body-size} default (its ConfigMap), 1m. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;

    /**
     * A node's defaults: {@code maxBodyBytes} ({@code --max-body-size}), its response timeout as the read and the
     * send timeout (nginx's share 60 s), its own connect timeout, ingress-nginx's retries.
     */
    public static RouteLimits node(long maxBodyBytes, Duration readTimeout) {
        return new RouteLimits(maxBodyBytes, null, readTimeout, readTimeout, NextUpstream.DEFAULT);
    }

    /** These defaults under what {@code route} sets; these when it sets nothing. */
    public RouteLimits with(ProxyLimits route) {
        if (route == null) {
            return this;
        }
        return new RouteLimits(route.bodySize() != null ? route.bodySize() : maxBodyBytes,
                seconds(route.connectTimeout(), connectTimeout), seconds(route.readTimeout(), readTimeout),
                seconds(route.sendTimeout(), sendTimeout),
                route.nextUpstream() == null && route.nextUpstreamTries() == null && route.nextUpstreamTimeout() == null
                        ? nextUpstream
                        : NextUpstream.of(route.nextUpstream(), route.nextUpstreamTries(), route.nextUpstreamTimeout()));
    }

    /** Whether a body of {@code bytes} (declared, or received so far) is over the limit. */
    public boolean tooLarge(long bytes) {
        return maxBodyBytes > 0 && bytes > maxBodyBytes;
    }

    private static Duration seconds(Integer s, Duration otherwise) {
        return s == null ? otherwise : Duration.ofSeconds(s);
    }
}
