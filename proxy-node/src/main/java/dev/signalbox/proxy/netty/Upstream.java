package dev.signalbox.proxy.netty;

import dev.signalbox.schemas.snapshot.UpstreamTls;

/**
 * How an exchange speaks to a backend's endpoints: over TLS with {@code tls} (null: plain TCP), and over HTTP/2
 * (one stream per exchange, see {@link Http2Upstream}) or HTTP/1.1 (one connection per exchange at a time).
 */
record Upstream(UpstreamTls tls, boolean http2) {
    static final Upstream PLAIN = new Upstream(null, false);

    static Upstream of(UpstreamTls tls, boolean http2) {
        return tls == null && !http2 ? PLAIN : new Upstream(tls, http2);
    }
}
