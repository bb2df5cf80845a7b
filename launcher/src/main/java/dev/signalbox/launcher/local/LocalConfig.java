package dev.signalbox.launcher.local;

import dev.signalbox.proxy.netty.Transport;
import dev.signalbox.routing.Locality;
import java.nio.file.Path;

/**
 * What {@code bin/ingress local} runs: the whole pipeline on one machine.
 *
 * @param manifestsDir  the Kubernetes YAML the manifests watcher serves
 * @param ports         first HTTP, HTTPS and admin ports (proxy i listens on each plus i), and the watcher's and the
 *                      compiler's admin ports
 * @param proxies       how many proxy nodes
 * @param dataDir       the embedded broker's data (kept across runs)
 * @param kafkaPort     the broker's client port, 0 for any free port
 * @param clusterId     the cluster the watcher publishes as, and the proxies run in
 * @param demoBackends  start the echo backends that deploy/examples routes to (127.0.0.1:18081, :18082)
 * @param zone          the proxies' zone, or null
 * @param policy        how the proxies choose endpoints by where they run
 * @param ioThreads     each proxy's event loops, 0 for one per available processor
 * @param clients       how every proxy treats its clients (trusted proxies, timeouts, PROXY protocol, body size
 *                      limit, access log); null for {@link ProxyClients#DEFAULT}
 * @param transport     each proxy's socket transport; null for {@code auto}
 */
public record LocalConfig(Path manifestsDir, String bindAddress, Ports ports, int proxies, Path dataDir, int kafkaPort,
                          String clusterId, boolean demoBackends, String zone, Locality.Policy policy, int ioThreads,
                          ProxyClients clients, Transport.Preference transport) {

    /** Proxies that treat their clients as {@code bin/ingress proxy} does by default. */
    public LocalConfig(Path manifestsDir, String bindAddress, Ports ports, int proxies, Path dataDir, int kafkaPort,
                       String clusterId, boolean demoBackends, String zone, Locality.Policy policy, int ioThreads) {
        this(manifestsDir, bindAddress, ports, proxies, dataDir, kafkaPort, clusterId, demoBackends, zone, policy,
                ioThreads, null, null);
    }

    /** Proxies with one event loop per available processor. */
    public LocalConfig(Path manifestsDir, String bindAddress, Ports ports, int proxies, Path dataDir, int kafkaPort,
                       String clusterId, boolean demoBackends, String zone, Locality.Policy policy) {
        this(manifestsDir, bindAddress, ports, proxies, dataDir, kafkaPort, clusterId, demoBackends, zone, policy, 0);
    }

    /** Proxies in no known zone, preferring the cluster's endpoints. */
    public LocalConfig(Path manifestsDir, String bindAddress, Ports ports, int proxies, Path dataDir, int kafkaPort,
                       String clusterId, boolean demoBackends) {
        this(manifestsDir, bindAddress, ports, proxies, dataDir, kafkaPort, clusterId, demoBackends, null,
                Locality.Policy.PREFER_LOCAL);
    }

    /**
     * Local mode as the tests embed it: on 127.0.0.1, every port chosen free, cluster {@code local}, an embedded
     * broker on a free port, no demo backends.
     */
    public static LocalConfig onFreePorts(Path manifestsDir, Path dataDir, int proxies) {
        return new LocalConfig(manifestsDir, "127.0.0.1", new Ports(0, 0, 0), proxies, dataDir, 0, "local", false);
    }

    /** This configuration with every proxy treating its clients as {@code c} says. */
    public LocalConfig withClients(ProxyClients c) {
        return new LocalConfig(manifestsDir, bindAddress, ports, proxies, dataDir, kafkaPort, clusterId, demoBackends,
                zone, policy, ioThreads, c, transport);
    }

    /** This configuration with every proxy's event loops on {@code t}. */
    public LocalConfig withTransport(Transport.Preference t) {
        return new LocalConfig(manifestsDir, bindAddress, ports, proxies, dataDir, kafkaPort, clusterId, demoBackends,
                zone, policy, ioThreads, clients, t);
    }

    /** Where the proxies run: local mode's cluster, and the zone and policy given. */
    public Locality proxyLocality() {
        return new Locality(clusterId, zone, policy);
    }

    /**
     * First ports of proxy 0, and the admin ports of the watcher and the compiler (0: any free port).
     */
    public record Ports(int http, int https, int admin, int watcherAdmin, int compilerAdmin) {
        /** The watcher's and the compiler's admin ports on any free port. */
        public Ports(int http, int https, int admin) {
            this(http, https, admin, 0, 0);
        }
    }

    public LocalConfig {
        if (proxies < 1) {
            throw new IllegalArgumentException("--proxies must be at least 1");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("--io-threads must be at least 1 (or 0 for one per processor)");
        }
        clients = clients == null ? ProxyClients.DEFAULT : clients;
        transport = transport == null ? Transport.Preference.AUTO : transport;
    }
}
