package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.proxy.metrics.ProxyMetrics;
import dev.signalbox.proxy.routing.LatencyEwma;
import dev.signalbox.proxy.routing.OutlierDetector;
import dev.signalbox.proxy.routing.RateLimits;
import dev.signalbox.proxy.routing.RoutingState;
import java.time.Duration;

/**
 * What every client connection of one listener shares.
 *
 * @param overTls         whether the listener terminates TLS (X-Forwarded-Proto https, no HTTPS redirect)
 * @param publicHttpsPort the port HTTP-to-HTTPS redirects name
 * @param outliers        the endpoints ejected for failing to accept connections, shared by all loops
 * @param trusted         the peers whose X-Forwarded-* and other identity fields are believed
 * @param clients         header and keep-alive timeouts, and whether connections start with a PROXY header
 * @param rateLimits      the node's per-client request rates and concurrency ({@code limit-*} annotations)
 * @param latency         the endpoints' response times for load-balance: ewma, shared by all loops
 * @param access          checks the source ranges and credentials of restricted routes
 */
record Frontend(RoutingState routing, Backends connector, ProxyMetrics metrics, Duration responseTimeout,
                boolean overTls, int publicHttpsPort, OutlierDetector outliers, TrustedProxies trusted,
                ClientPolicy clients, RateLimits rateLimits, LatencyEwma latency, AccessGate access) {
}
