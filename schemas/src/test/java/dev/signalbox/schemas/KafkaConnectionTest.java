package dev.signalbox.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How the operator's Kafka client settings and a client's own choices combine. */
class KafkaConnectionTest {
    private static Map<String, Object> merged(Map<String, String> file, Map<String, String> ours) {
        Map<String, Object> m = new TreeMap<>();
        new KafkaConnection("k:9092", file).properties(ours).forEach((k, v) -> m.put(k.toString(), v));
        return m;
    }

    @Test
    void theFileAddsSettingsAndWinsOverAClientsDefaultsButNotOverWhatSignalboxDependsOn() {
        Map<String, String> file = Map.of("security.protocol", "SASL_SSL", "client.id", "from-file",
                "isolation.level", "read_uncommitted", "transactional.id", "theirs", "enable.idempotence", "false",
                "bootstrap.servers", "elsewhere:1", "max.poll.records", "10");
        Map<String, String> ours = Map.of("client.id", "signalbox-audit", "isolation.level", "read_committed",
                "transactional.id", "signalbox-compiler", "enable.idempotence", "true", "fetch.max.wait.ms", "10",
                "max.poll.records", "5000");
        assertEquals(new TreeMap<>(Map.of("security.protocol", "SASL_SSL", "client.id", "from-file",
                "isolation.level", "read_committed", "transactional.id", "signalbox-compiler", "enable.idempotence", "true",
                "bootstrap.servers", "k:9092", "fetch.max.wait.ms", "10", "max.poll.records", "10")), merged(file, ours));
    }

    @Test
    void withoutAFileAClientGetsExactlyItsOwnSettingsAndTheServers() {
        assertEquals(Map.of("client.id", "x", "bootstrap.servers", "k:9092"), merged(Map.of(), Map.of("client.id", "x")));
    }

    @Test
    void itsTextNamesTheServersOnlyNeverASecretOfTheFile() {
        assertEquals("k:9092", new KafkaConnection("k:9092", Map.of("sasl.jaas.config", "password=\"s3cret\"")).toString());
    }
}
