package dev.signalbox.proxy;

import java.time.Duration;

/**
 * Everything a proxy node needs to start.
 *
 * @param nodeId          names this node in logs and in its Kafka client id
 * @param httpPort        the public port; 0 picks a free one
 * @param adminPort       the admin port; 0 picks a free one
 * @param connectTimeout  how long connecting to a backend may take before the client gets 504
 * @param responseTimeout how long a backend may take to start its response after the request was sent
 */
public record ProxyConfig(String bootstrapServers, String nodeId, String bindAddress, int httpPort, int adminPort,
                          Duration connectTimeout, Duration responseTimeout) {
}
