package dev.signalbox.launcher;

import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyMain;
import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
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

    @Option(names = "--trusted-proxies", paramLabel = "CIDR[,CIDR]", converter = TrustedProxiesConverter.class,
            description = "Load balancers in front whose X-Forwarded-* and X-Real-IP fields are kept "
                    + "(ingress-nginx's proxy-real-ip-cidr). Default: none; every client's are replaced.")
    TrustedProxies trustedProxies;

    static final class TrustedProxiesConverter implements picocli.CommandLine.ITypeConverter<TrustedProxies> {
        @Override
        public TrustedProxies convert(String value) {
            try {
                return TrustedProxies.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--client-header-timeout", defaultValue = "60s", paramLabel = "TIME", converter = Port.Span.class,
            description = "A client that has not sent a whole request head this long after connecting (or after the "
                    + "first byte of a later request) is disconnected (nginx's client_header_timeout).")
    Duration clientHeaderTimeout;

    @Option(names = "--keepalive-timeout", defaultValue = "75s", paramLabel = "TIME", converter = Port.Span.class,
            description = "A kept-alive client connection idle this long between requests is closed (nginx's keepalive_timeout).")
    Duration keepaliveTimeout;

    @Option(names = "--proxy-protocol", description = "Every connection to the HTTP and HTTPS ports starts with a PROXY "
            + "protocol v1 or v2 header (AWS NLB, HAProxy): the client address comes from it, and a connection "
            + "without a valid one is closed.")
    boolean proxyProtocol;

    @Option(names = "--max-body-size", defaultValue = "1m", paramLabel = "SIZE", converter = BodySize.class,
            description = "The largest request body of a route without a proxy-body-size annotation, in nginx's size "
                    + "syntax (bytes, or 512k, 8m, 1g); 0 for no limit. A larger body is 413 (ingress-nginx's "
                    + "proxy-body-size ConfigMap default, 1m).")
    long maxBodySize;

    /** nginx's size syntax, as the proxy-body-size annotation takes it. */
    static final class BodySize implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long bytes = dev.signalbox.schemas.snapshot.ProxyLimits.parseSize(value.trim());
            if (bytes < 0) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a size (bytes, or a "
                        + "number with k, m or g, e.g. 8m; 0 for no limit)");
            }
            return bytes;
        }
    }

    @Option(names = "--io-threads", defaultValue = "0", paramLabel = "N",
            description = "Event loops serving clients and backends, one per core to be used (as nginx's "
                    + "worker_processes). 0: one per available processor.")
    int ioThreads;

    @Option(names = "--access-log", defaultValue = "off", paramLabel = "off|on|sample:N",
            description = "One JSON line per request (or about one in N), written off the event loop; lines the writer"
                    + " cannot keep up with are dropped and counted (signalbox_access_log_dropped_total), never waited for.")
    String accessLog;

    @Option(names = "--access-log-file", paramLabel = "FILE", description = "Append the access log here. Default: standard output.")
    java.nio.file.Path accessLogFile;

    dev.signalbox.proxy.accesslog.AccessLogConfig accessLog() {
        try {
            return dev.signalbox.proxy.accesslog.AccessLogConfig.parse(accessLog, accessLogFile);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    ProxyConfig config() {
        // The read timeout is nginx's proxy_read_timeout default (60 s): it bounds a response head and a silent tunnel.
        ProxyConfig config = new ProxyConfig(kafka.bootstrap(), nodeId, bind, httpPort, adminPort,
                Duration.ofSeconds(2), Duration.ofSeconds(60)).withTrustedProxies(trustedProxies)
                .withKafkaSettings(kafka.settings());
        if (ioThreads < 0) {
            throw new ParameterException(spec.commandLine(), "--io-threads must be at least 1 (or 0 for one per processor)");
        }
        config = config.withIoThreads(ioThreads);
        if (clientHeaderTimeout.isZero() || keepaliveTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--client-header-timeout and --keepalive-timeout must be positive");
        }
        config = config.withClients(new ClientPolicy(clientHeaderTimeout, keepaliveTimeout, proxyProtocol, maxBodySize));
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
        return ProxyMain.run(config(), drainTimeout, topics.createTopics(), accessLog());
    }
}
