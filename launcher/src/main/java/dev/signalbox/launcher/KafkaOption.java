package dev.signalbox.launcher;

import java.util.List;
import picocli.CommandLine.Option;

/** {@code --kafka HOST:PORT[,HOST:PORT...]}, required by every component command (a picocli mixin). */
final class KafkaOption {
    @Option(names = "--kafka", required = true, split = ",", paramLabel = "HOST:PORT",
            converter = HostAndPort.Converter.class, hideParamSyntax = true,
            description = "Kafka's bootstrap servers, comma-separated.")
    List<HostAndPort> servers;

    /** Kafka's {@code bootstrap.servers}. */
    String bootstrap() {
        return HostAndPort.bootstrap(servers);
    }
}
