package dev.signalbox.launcher;

import dev.signalbox.launcher.local.ProxyClients;
import dev.signalbox.proxy.accesslog.AccessLogConfig;
import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * How a proxy treats its clients: {@code --trusted-proxies}, {@code --client-header-timeout},
 * {@code --keepalive-timeout}, {@code --proxy-protocol}, {@code --max-body-size}, {@code --access-log} and
 * {@code --access-log-file}. Shared by {@code proxy} and {@code local} (all its proxies; a picocli mixin), so both
 * take the same names, defaults and checks.
 */
final class ClientOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--trusted-proxies", paramLabel = "CIDR[,CIDR]", converter = TrustedProxiesConverter.class,
            description = "Load balancers in front whose X-Forwarded-* and X-Real-IP fields are kept "
                    + "(ingress-nginx's proxy-real-ip-cidr). Default: none; every client's are replaced.")
    TrustedProxies trustedProxies;

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

    @Option(names = "--access-log", defaultValue = "off", paramLabel = "off|on|sample:N",
            description = "One JSON line per request (or about one in N), written off the event loop; lines the writer"
                    + " cannot keep up with are dropped and counted (signalbox_access_log_dropped_total), never waited for.")
    String accessLog;

    @Option(names = "--access-log-file", paramLabel = "FILE", description = "Append the access log here. Default: standard output.")
    Path accessLogFile;

    static final class TrustedProxiesConverter implements ITypeConverter<TrustedProxies> {
        @Override
        public TrustedProxies convert(String value) {
            try {
                return TrustedProxies.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** nginx's size syntax, as the proxy-body-size annotation takes it. */
    static final class BodySize implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long bytes = ProxyLimits.parseSize(value.trim());
            if (bytes < 0) {
                throw new TypeConversionException("'" + value + "' is not a size (bytes, or a "
                        + "number with k, m or g, e.g. 8m; 0 for no limit)");
            }
            return bytes;
        }
    }

    /** What the options ask of a proxy; a value the parser let through but the proxy cannot take is a usage error. */
    ProxyClients clients() {
        if (clientHeaderTimeout.isZero() || keepaliveTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--client-header-timeout and --keepalive-timeout must be positive");
        }
        try {
            return new ProxyClients(trustedProxies,
                    new ClientPolicy(clientHeaderTimeout, keepaliveTimeout, proxyProtocol, maxBodySize),
                    AccessLogConfig.parse(accessLog, accessLogFile));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
