package dev.signalbox.launcher;

import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyMain;
import dev.signalbox.schemas.crypto.KeyRing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/ingress proxy}: one proxy node against an external Kafka. */
@Command(header = "Serves the latest snapshot: HTTP, HTTPS, admin port.", name = "proxy", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Serves the latest routing snapshot over HTTP (and HTTPS with --https-port), with an admin port.",
            "On SIGTERM: not ready, stops accepting, finishes the requests under way (at most --drain-timeout-ms)."})
final class ProxyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOption kafka;

    @Mixin
    TopicCreationOption topics;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT", converter = Port.Converter.class,
            description = "The public HTTP port (0: any free port).")
    int httpPort;

    @Option(names = "--admin-port", defaultValue = "9090", paramLabel = "PORT", converter = Port.Converter.class,
            description = "/readyz, /metrics, /routes (0: any free port).")
    int adminPort;

    @Option(names = "--node-id", defaultValue = "proxy-1", paramLabel = "ID", description = "This node's name in logs and Kafka client ids.")
    String nodeId;

    @Option(names = "--cluster-id", defaultValue = "local", paramLabel = "ID",
            description = "The cluster this proxy runs in (the --cluster-id of its cluster's watcher): its endpoints are "
                    + "preferred over other clusters'. Told to the fleet with --zone.")
    String clusterId;

    @Mixin
    LocalityOption locality;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDRESS", description = "The address the listeners bind.")
    String bind;

    @Option(names = "--drain-timeout-ms", defaultValue = "10000", paramLabel = "MS", converter = Port.Millis.class,
            description = "On SIGTERM, how long requests under way may take to finish.")
    Duration drainTimeout;

    @Option(names = "--https-port", paramLabel = "PORT", converter = Port.Converter.class,
            description = "Serve HTTPS on this port (certificates by SNI from the Ingresses' TLS Secrets), e.g. 8443.")
    Integer httpsPort;

    @Option(names = "--public-https-port", paramLabel = "PORT", converter = Port.Converter.class,
            description = "The HTTPS port clients reach (a NAT or load balancer in front), e.g. 443; used in redirects. Default: --https-port.")
    Integer publicHttpsPort;

    @Option(names = "--default-cert", paramLabel = "FILE", description = "PEM certificate chain for unknown SNI (with --default-key). Default: a generated self-signed one.")
    Path defaultCert;

    @Option(names = "--default-key", paramLabel = "FILE", description = "Its PEM private key (PKCS#8, or PKCS#1 RSA).")
    Path defaultKey;

    @Option(names = "--encryption-keys", paramLabel = "DIR",
            description = "The key-encryption keys that open TLS private keys sealed in Kafka, one base64 file per key id; or SIGNALBOX_ENCRYPTION_KEYS=id=base64[,id=base64].")
    Path encryptionKeys;

    @Mixin
    EventLoopOptions eventLoops;

    @Mixin
    ClientOptions clients;

    @Mixin
    LeakDetectionOption leakDetection;

    ProxyConfig config() {
        // The read timeout is nginx's proxy_read_timeout default (60 s): it bounds a response head and a silent tunnel.
        ProxyConfig config = new ProxyConfig(kafka.bootstrap(), nodeId, bind, httpPort, adminPort,
                Duration.ofSeconds(2), Duration.ofSeconds(60)).withKafkaSettings(kafka.settings());
        config = clients.clients().applyTo(config.withIoThreads(eventLoops.ioThreads())
                .withTransport(eventLoops.transport()));
        if (clusterId.isBlank() || clusterId.contains("/")) {
            throw new ParameterException(spec.commandLine(), "--cluster-id must be non-empty and without '/'");
        }
        config = config.withLocality(locality.in(clusterId));
        try {
            // Proxies only open: every key id a record may name must be here, so no active key is chosen.
            config = config.withKeys(KeyRing.configured(encryptionKeys, System.getenv(KeyRing.ENV), null));
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read the key-encryption keys: " + e.getMessage(), e, null, null);
        }
        if (httpsPort == null) {
            if (publicHttpsPort != null || defaultCert != null || defaultKey != null) {
                throw new ParameterException(spec.commandLine(),
                        "--public-https-port, --default-cert and --default-key need --https-port");
            }
            return config;
        }
        if ((defaultCert == null) != (defaultKey == null)) {
            throw new ParameterException(spec.commandLine(), "--default-cert and --default-key go together");
        }
        return config.withHttps(httpsPort, publicHttpsPort == null ? 0 : publicHttpsPort, defaultCert, defaultKey);
    }

    @Override
    public Integer call() throws InterruptedException {
        leakDetection.apply();
        return ProxyMain.run(config(), drainTimeout, topics.createTopics(), clients.clients().accessLog());
    }
}
