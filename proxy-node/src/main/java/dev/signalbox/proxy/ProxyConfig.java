package dev.signalbox.proxy;

import dev.signalbox.schemas.KafkaConnection;
import java.util.Map;
import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.proxy.netty.Transport;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.crypto.KeyRing;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a proxy node needs to start.
 *
 * @param nodeId          names this node in logs and in its Kafka client id
 * @param httpPort        the public port; 0 picks a free one
 * @param adminPort       the admin port; 0 picks a free one
 * @param connectTimeout  how long connecting to a backend may take before the client gets 504
 * @param responseTimeout how long a backend may take to start its response after the request was sent
 * @param https           the HTTPS listener, or null to serve plain HTTP only
 * @param keys            the key-encryption keys that open the snapshots' sealed private keys
 * @param trustedProxies  the peers (load balancers in front) whose X-Forwarded-* and other identity fields are
 *                        believed; from any other client they are replaced by what the proxy saw
 * @param locality        the cluster and zone this node runs in, and whether it prefers endpoints near it; also
 *                        told to the fleet in its acknowledgements
 * @param kafkaSettings   the operator's Kafka client settings (--kafka-config), for every client; may be empty
 * @param ioThreads       the event loops serving clients and backends, one per core to be used (nginx's
 *                        {@code worker_processes}); 0 means one per available processor
 * @param clients         the client connections' header and keep-alive timeouts, and whether they start with a
 *                        PROXY protocol header
 * @param transport       the event loops' socket transport ({@code --transport}); null for {@code auto}
 */
public record ProxyConfig(String bootstrapServers, String nodeId, String bindAddress, int httpPort, int adminPort,
                          Duration connectTimeout, Duration responseTimeout, Https https, KeyRing keys,
                          TrustedProxies trustedProxies, Locality locality, Map<String, String> kafkaSettings,
                          int ioThreads, ClientPolicy clients, Transport.Preference transport) {

    public ProxyConfig {
        if (ioThreads < 0) {
            throw new IllegalArgumentException("the I/O thread count must be positive, or 0 for one per processor");
        }
        kafkaSettings = kafkaSettings == null ? Map.of() : Map.copyOf(kafkaSettings);
        keys = keys == null ? KeyRing.empty() : keys;
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
        locality = locality == null ? Locality.DEFAULT : locality;
        clients = clients == null ? ClientPolicy.DEFAULT : clients;
        transport = transport == null ? Transport.Preference.AUTO : transport;
    }

    /** A node without an HTTPS listener, trusting no client's identity fields. */
    public ProxyConfig(String bootstrapServers, String nodeId, String bindAddress, int httpPort, int adminPort,
                       Duration connectTimeout, Duration responseTimeout) {
        this(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout, responseTimeout, null, null,
                null, null, null, 0, null, null);
    }

    /**
     * The HTTPS listener: certificates come from the snapshot's TLS bindings, chosen by SNI.
     *
     * @param port           the port to bind; 0 picks a free one
     * @param publicPort     the port clients reach it on (a NAT or load balancer in front), used in HTTP-to-HTTPS
     *                       redirects; 0 means the bound port
     * @param defaultCertPem the certificate chain served for unknown or absent SNI, or null to generate a
     *                       self-signed one at start
     * @param defaultKeyPem  its private key (PKCS#8, or PKCS#1 RSA), or null with {@code defaultCertPem}
     */
    public record Https(int port, int publicPort, Path defaultCertPem, Path defaultKeyPem) {
        public Https {
            if ((defaultCertPem == null) != (defaultKeyPem == null)) {
                throw new IllegalArgumentException("a default certificate needs both the certificate and the key file");
            }
        }
    }

    /** This configuration with an HTTPS listener. */
    public ProxyConfig withHttps(int httpsPort, int publicHttpsPort, Path defaultCertPem, Path defaultKeyPem) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, new Https(httpsPort, publicHttpsPort, defaultCertPem, defaultKeyPem), keys,
                trustedProxies, locality, kafkaSettings, ioThreads, clients, transport);
    }

    /** This configuration with key-encryption keys. */
    public ProxyConfig withKeys(KeyRing k) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, https, k, trustedProxies, locality, kafkaSettings, ioThreads, clients, transport);
    }

    /** This configuration trusting the identity fields of {@code trusted}. */
    public ProxyConfig withTrustedProxies(TrustedProxies trusted) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, https, keys, trusted, locality, kafkaSettings, ioThreads, clients, transport);
    }

    /** This configuration with the operator's Kafka client settings ({@code --kafka-config}). */
    public ProxyConfig withKafkaSettings(Map<String, String> settings) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, https, keys, trustedProxies, locality, settings, ioThreads, clients, transport);
    }

    /** Kafka's servers and the operator's client settings, for every client the proxy makes. */
    public KafkaConnection kafka() {
        return new KafkaConnection(bootstrapServers, kafkaSettings);
    }

    /** This configuration at {@code l}. */
    public ProxyConfig withLocality(Locality l) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, https, keys, trustedProxies, l, kafkaSettings, ioThreads, clients, transport);
    }

    /** This configuration with {@code n} event loops (0: one per available processor). */
    public ProxyConfig withIoThreads(int n) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, https, keys, trustedProxies, locality, kafkaSettings, n, clients, transport);
    }

    /** This configuration with {@code c}'s client timeouts and PROXY protocol setting. */
    public ProxyConfig withClients(ClientPolicy c) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, https, keys, trustedProxies, locality, kafkaSettings, ioThreads, c, transport);
    }

    /** This configuration with the event loops on {@code t} ({@code --transport}). */
    public ProxyConfig withTransport(Transport.Preference t) {
        return new ProxyConfig(bootstrapServers, nodeId, bindAddress, httpPort, adminPort, connectTimeout,
                responseTimeout, https, keys, trustedProxies, locality, kafkaSettings, ioThreads, clients, t);
    }
}
