package dev.signalbox.launcher;

import dev.signalbox.schemas.KafkaConnection;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --kafka HOST:PORT[,HOST:PORT...]} and {@code --kafka-config FILE}, taken by every command that talks to
 * Kafka (the components, {@code topics}, the questions about routing history; a picocli mixin). The file's
 * settings reach every client the command makes (admin clients, consumers, producers) through
 * {@link KafkaConnection#properties}, with {@code SIGNALBOX_KAFKA_*} environment variables over the file's settings;
 * a file that cannot be read is a usage error (exit 2) naming it.
 */
final class KafkaOption {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaOption.class);

    private boolean warned;

    @Option(names = "--kafka", required = true, split = ",", paramLabel = "HOST:PORT",
            converter = HostAndPort.Converter.class, hideParamSyntax = true,
            description = "Kafka's bootstrap servers, comma-separated.")
    List<HostAndPort> servers;

    // No default shown: none means no further settings.
    @Option(names = "--kafka-config", paramLabel = "FILE", converter = ClientSettings.Converter.class,
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description = "A Java properties file of Kafka client settings for every client (security.protocol, sasl.*,"
                    + " ssl.*, client.id, timeouts); SIGNALBOX_KAFKA_* variables win over it (SIGNALBOX_KAFKA_SASL_JAAS_CONFIG"
                    + " is sasl.jaas.config). --kafka wins over bootstrap.servers, and Signalbox keeps the settings it"
                    + " depends on (isolation.level, transactional.id, enable.idempotence, acks, group.id), with a warning.")
    ClientSettings config = ClientSettings.NONE;

    /** The operator's client settings and the file they came from (null: none given). */
    record ClientSettings(Path file, Map<String, String> settings) {
        static final ClientSettings NONE = new ClientSettings(null, Map.of());

        ClientSettings {
            settings = Map.copyOf(settings);
        }

        /** Reads the file while the command line is parsed, so that an unreadable one is a usage error. */
        static final class Converter implements ITypeConverter<ClientSettings> {
            @Override
            public ClientSettings convert(String value) {
                Path file = Path.of(value);
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                } catch (IOException | IllegalArgumentException e) {
                    throw new TypeConversionException("cannot read " + file + ": " + e);
                }
                Map<String, String> settings = new TreeMap<>();
                p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
                return new ClientSettings(file, settings);
            }
        }
    }

    /** Kafka's {@code bootstrap.servers}. */
    String bootstrap() {
        return HostAndPort.bootstrap(servers);
    }

    /**
     * The operator's client settings: {@code --kafka-config}'s, with the {@code SIGNALBOX_KAFKA_*} environment
     * variables over them; empty when neither gives any. The first call logs a warning for each setting Signalbox
     * keeps its own ({@link KafkaConnection#ignoredSettings}).
     */
    Map<String, String> settings() {
        Map<String, String> settings = KafkaConnection.operatorSettings(config.settings(), System.getenv());
        if (!warned) {
            warned = true;
            new KafkaConnection("", settings).ignoredSettings().forEach(LOG::warn);
        }
        return settings;
    }

    /** The servers and the settings, for every client the command makes. */
    KafkaConnection connection() {
        return new KafkaConnection(bootstrap(), settings());
    }

    /**
     * For one-shot commands, which report Kafka's state themselves: the clients' reconnect warnings (several
     * a second while a broker is down) would only bury the answer. Call before the first client is made.
     */
    static void quietClientLogs() {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    }
}
