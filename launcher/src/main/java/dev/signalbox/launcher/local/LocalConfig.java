package dev.signalbox.launcher.local;

import java.nio.file.Path;

/**
 * What {@code bin/ingress local} runs: the whole pipeline on one machine.
 *
 * @param manifestsDir  the Kubernetes YAML the manifests watcher serves
 * @param ports         first HTTP, HTTPS and admin ports; proxy i listens on each plus i
 * @param proxies       how many proxy nodes
 * @param dataDir       the embedded broker's data (kept across runs)
 * @param kafkaPort     the broker's client port, 0 for any free port
 * @param demoBackends  start the echo backends that deploy/examples routes to (127.0.0.1:18081, :18082)
 */
public record LocalConfig(Path manifestsDir, String bindAddress, Ports ports, int proxies, Path dataDir, int kafkaPort,
                          String clusterId, boolean demoBackends) {

    /** First ports of proxy 0. */
    public record Ports(int http, int https, int admin) {
    }

    public LocalConfig {
        if (proxies < 1) {
            throw new IllegalArgumentException("--proxies must be at least 1");
        }
    }
}
