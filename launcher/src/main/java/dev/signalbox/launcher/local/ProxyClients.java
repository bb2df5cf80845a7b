package dev.signalbox.launcher.local;

import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.accesslog.AccessLogConfig;
import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;

/**
 * How a proxy treats its clients, as {@code bin/ingress proxy} and {@code bin/ingress local} take it from the same
 * options: whose identity fields it believes, its client timeouts, PROXY protocol and body size limit, and its access
 * log. Local mode gives every proxy it starts the same.
 *
 * @param trustedProxies the load balancers in front whose X-Forwarded-* fields are kept
 * @param policy         header and keep-alive timeouts, PROXY protocol, the default body size limit
 * @param accessLog      whether and where the proxy writes one JSON line per request
 */
public record ProxyClients(TrustedProxies trustedProxies, ClientPolicy policy, AccessLogConfig accessLog) {
    /** nginx's timeouts, no PROXY protocol, a 1m body limit, no one trusted, no access log. */
    public static final ProxyClients DEFAULT = new ProxyClients(TrustedProxies.NONE, ClientPolicy.DEFAULT, AccessLogConfig.OFF);

    public ProxyClients {
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
        policy = policy == null ? ClientPolicy.DEFAULT : policy;
        accessLog = accessLog == null ? AccessLogConfig.OFF : accessLog;
    }

    /** {@code config} with these trusted proxies and client policy (the access log goes to the node's start). */
    public ProxyConfig applyTo(ProxyConfig config) {
        return config.withTrustedProxies(trustedProxies).withClients(policy);
    }
}
