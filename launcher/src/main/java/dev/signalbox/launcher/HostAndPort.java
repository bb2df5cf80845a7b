package dev.signalbox.launcher;

import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code host:port} option value ({@code [v6]:port} for an IPv6 literal), checked when it is parsed. */
record HostAndPort(String host, int port) {

    /** Kafka's {@code bootstrap.servers}: the addresses joined with commas. */
    static String bootstrap(List<HostAndPort> servers) {
        return servers.stream().map(HostAndPort::toString).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return host + ':' + port;
    }

    /** Parses {@code host:port}; the port must be 1-65535. */
    static final class Converter implements ITypeConverter<HostAndPort> {
        @Override
        public HostAndPort convert(String value) {
            int colon = value.lastIndexOf(':');
            String host = colon > 0 ? value.substring(0, colon).trim() : "";
            if (host.isEmpty() || host.startsWith("[") != host.endsWith("]")) {
                throw new TypeConversionException("'" + value + "' is not HOST:PORT");
            }
            int port = Port.Converter.parse(value.substring(colon + 1).trim(), 1);
            return new HostAndPort(host, port);
        }
    }
}
