package dev.signalbox.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * How the operator's Kafka client settings (the {@code --kafka-config} file and the {@code SIGNALBOX_KAFKA_*}
 * environment) and a client's own choices combine, and which settings are refused with a warning.
 */
class KafkaConnectionTest {
    /** One case: the file, the environment, the client's own settings, and what the client gets and what is warned. */
    record Case(String name, Map<String, String> file, Map<String, String> env, Map<String, String> ours,
                Map<String, String> expected, List<String> ignored) {
    }

    private static final String PEM_CA = "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----";
    private static final Map<String, String> TRANSACTIONAL = Map.of("transactional.id", "signalbox-compiler",
            "client.id", "signalbox-compiler");
    private static final Map<String, String> READER = Map.of("isolation.level", "read_committed", "client.id", "reader",
            "auto.offset.reset", "earliest");

    private static final List<Case> CASES = List.of(
            new Case("without a file or variables a client gets exactly its own settings and the servers",
                    Map.of(), Map.of(), Map.of("client.id", "x"),
                    Map.of("client.id", "x", "bootstrap.servers", "k:9092"), List.of()),
            new Case("the file adds settings and wins over a client's defaults",
                    Map.of("client.id", "from-file", "max.poll.records", "10", "request.timeout.ms", "60000"), Map.of(),
                    Map.of("client.id", "reader", "max.poll.records", "5000"),
                    Map.of("client.id", "from-file", "max.poll.records", "10", "request.timeout.ms", "60000",
                            "bootstrap.servers", "k:9092"), List.of()),
            new Case("a variable wins over the file",
                    Map.of("security.protocol", "SSL", "client.id", "from-file"),
                    Map.of("SIGNALBOX_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "PATH", "/bin", "SIGNALBOX_KAFKA_", "nothing"),
                    Map.of(), Map.of("security.protocol", "SASL_SSL", "client.id", "from-file", "bootstrap.servers", "k:9092"),
                    List.of()),
            new Case("owned settings in the file are kept Signalbox's and each is named",
                    Map.of("isolation.level", "read_uncommitted", "bootstrap.servers", "elsewhere:1", "security.protocol", "SSL"),
                    Map.of(), READER,
                    Map.of("isolation.level", "read_committed", "client.id", "reader", "auto.offset.reset", "earliest",
                            "security.protocol", "SSL", "bootstrap.servers", "k:9092"),
                    List.of("bootstrap.servers", "isolation.level")),
            new Case("an owned setting from a variable is kept Signalbox's and named",
                    Map.of(), Map.of("SIGNALBOX_KAFKA_TRANSACTIONAL_ID", "theirs", "SIGNALBOX_KAFKA_ENABLE_IDEMPOTENCE", "false"),
                    TRANSACTIONAL, Map.of("transactional.id", "signalbox-compiler", "client.id", "signalbox-compiler",
                            "bootstrap.servers", "k:9092"),
                    List.of("enable.idempotence", "transactional.id")),
            new Case("an owned setting a client does not use is dropped, not passed on (no group for a group-less reader)",
                    Map.of("group.id", "theirs", "acks", "0", "enable.auto.commit", "true"), Map.of(), READER,
                    Map.of("isolation.level", "read_committed", "client.id", "reader", "auto.offset.reset", "earliest",
                            "bootstrap.servers", "k:9092"),
                    List.of("acks", "enable.auto.commit", "group.id")),
            new Case("TLS with a PEM CA passes through",
                    Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM", "ssl.truststore.certificates", PEM_CA),
                    Map.of(), READER,
                    Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM", "ssl.truststore.certificates", PEM_CA,
                            "isolation.level", "read_committed", "client.id", "reader", "auto.offset.reset", "earliest",
                            "bootstrap.servers", "k:9092"), List.of()),
            new Case("mutual TLS with a truststore file and a PKCS12 keystore passes through",
                    Map.of("security.protocol", "SSL", "ssl.truststore.location", "/etc/kafka/ca.p12",
                            "ssl.truststore.password", "t", "ssl.keystore.location", "/etc/kafka/user.p12",
                            "ssl.keystore.type", "PKCS12"),
                    Map.of("SIGNALBOX_KAFKA_SSL_KEYSTORE_PASSWORD", "k"), TRANSACTIONAL,
                    Map.of("security.protocol", "SSL", "ssl.truststore.location", "/etc/kafka/ca.p12", "ssl.truststore.password", "t",
                            "ssl.keystore.location", "/etc/kafka/user.p12", "ssl.keystore.type", "PKCS12",
                            "ssl.keystore.password", "k", "transactional.id", "signalbox-compiler", "client.id", "signalbox-compiler",
                            "bootstrap.servers", "k:9092"), List.of()),
            new Case("SASL SCRAM-SHA-512 with the JAAS line from a variable (a Strimzi KafkaUser Secret's sasl.jaas.config)",
                    Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"),
                    Map.of("SIGNALBOX_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                            + " username=\"w\" password=\"p\";"), Map.of(),
                    Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"w\" password=\"p\";",
                            "bootstrap.servers", "k:9092"), List.of()),
            new Case("SASL OAUTHBEARER passes through with its login callback handler and token endpoint",
                    Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER",
                            "sasl.login.callback.handler.class",
                            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"),
                    Map.of("SIGNALBOX_KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL", "https://idp.example/token"), Map.of(),
                    Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER", "sasl.login.callback.handler.class",
                            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
                            "sasl.oauthbearer.token.endpoint.url", "https://idp.example/token", "bootstrap.servers", "k:9092"),
                    List.of()));

    @Test
    void theOperatorsSettingsMergeOverAClientsOwnButNeverOverWhatSignalboxOwns() {
        for (Case c : CASES) {
            KafkaConnection k = new KafkaConnection("k:9092", KafkaConnection.operatorSettings(c.file(), c.env()));
            Map<String, Object> got = new TreeMap<>();
            k.properties(c.ours()).forEach((key, v) -> got.put(key.toString(), v));
            assertEquals(new TreeMap<>(c.expected()), got, c.name());
            List<String> ignored = k.ignoredSettings().stream().map(s -> s.split(" ")[4]).toList();
            assertEquals(c.ignored(), ignored, c.name());
        }
    }

    @Test
    void aWarningNamesTheSettingItsVariableAndWhyButNotTheValue() {
        assertEquals(List.of("ignoring Kafka client setting isolation.level (from --kafka-config or"
                        + " SIGNALBOX_KAFKA_ISOLATION_LEVEL): Signalbox keeps its own, because read_committed: the compiler and"
                        + " the proxies must never see an aborted or fenced transaction"),
                new KafkaConnection("k:9092", Map.of("isolation.level", "read_uncommitted")).ignoredSettings());
    }

    @Test
    void itsTextNamesTheServersOnlyNeverASecretOfTheSettings() {
        assertEquals("k:9092", new KafkaConnection("k:9092", Map.of("sasl.jaas.config", "password=\"s3cret\"")).toString());
    }
}
