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

    /**
     * For one-shot commands, which report Kafka's state themselves: the clients' reconnect warnings (several
     * a second while a broker is down) would only bury the answer. Call before the first client is made.
     */
    static void quietClientLogs() {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    }
}
