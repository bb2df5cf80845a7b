package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.proxy.kafka.AckPublisher;
import dev.signalbox.rawhttp.RawHttpConnection;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.ack.ProxyAck;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.TestCerts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxies' acknowledgements as {@code bin/ingress fleet} shows them, on a real broker: a snapshot a proxy
 * cannot use is rejected with the reason and the node goes on serving the version it had; a proxy whose Kafka
 * goes away goes on serving, and the acknowledgements it made meanwhile arrive when Kafka returns.
 */
class FleetAcksIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String HOST = "fleet.example.com";

    @Test
    void aRejectedSnapshotIsShownWithItsReasonAndTheNodeKeepsItsVersion() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend backend = EchoBackend.start("fleet")) {
            TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
            try (SnapshotWriter.Publisher publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "fleet-it", 512 * 1024)) {
                publisher.publish(SnapshotCodec.create(1, Instant.now(), List.of(), table(backend, List.of())));
                // HTTPS: the node builds a TLS context for every binding of a version it applies.
                try (ProxyNode node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "proxy-r", "127.0.0.1", 0, 0,
                        Duration.ofSeconds(2), Duration.ofSeconds(30)).withHttps(0, 0, null, null))) {
                    Await.until("the node serves version 1", WAIT, () -> node.appliedVersion() == 1);
                    // Not written by the compiler, which never binds TLS without a sealed key: the node cannot use it.
                    publisher.publish(SnapshotCodec.create(2, Instant.now(), List.of(), table(backend,
                            List.of(new TlsBinding(HOST, "c/default/fleet-tls", TestCerts.selfSigned(HOST).certPem(), null)))));
                    JsonNode fleet = Await.value("proxy-r's rejection of version 2", WAIT,
                            () -> fleet(kafka.bootstrapServers()), f -> f.path("nodes").path(0).path("lastRejected").isTextual());
                    JsonNode n = fleet.path("nodes").get(0);
                    assertEquals(List.of("proxy-r", "up", "1"), List.of(n.path("node").asText(), n.path("state").asText(),
                            n.path("version").asText()), fleet.toString());
                    assertTrue(n.path("lastRejected").asText().startsWith("2: ") && n.path("lastRejected").asText().length() > 3,
                            "the version and the reason: " + n);
                    assertEquals(1, node.appliedVersion());
                    assertEquals("HTTP/1.1 200 OK", get(node).startLine(), "version 1 still served");
                }
            }
        }
    }

    @Test
    void aProxyWithoutKafkaKeepsServingAndItsAcknowledgementsFollowWhenKafkaReturns(@TempDir Path dir) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        int port = kafka.port();
        String bootstrap = kafka.bootstrapServers();
        try (EchoBackend backend = EchoBackend.start("fleet")) {
            TopicAdmin.ensureTopics(bootstrap, 1, (short) 1);
            try (SnapshotWriter.Publisher publisher = SnapshotWriter.publisher(bootstrap, "fleet-it", 512 * 1024)) {
                publisher.publish(SnapshotCodec.create(1, Instant.now(), List.of(), table(backend, List.of())));
            }
            try (ProxyNode node = ProxyNode.start(new ProxyConfig(bootstrap, "proxy-o", "127.0.0.1", 0, 0,
                    Duration.ofSeconds(2), Duration.ofSeconds(30)))) {
                Await.until("the node serves version 1", WAIT, () -> node.appliedVersion() == 1);
                Await.value("proxy-o's acknowledgement of version 1", WAIT, () -> fleet(bootstrap),
                        f -> f.path("nodes").path(0).path("version").asLong() == 1);
                kafka.close();
                Instant down = Instant.now();
                // Long enough for a heartbeat to be made while the broker is away.
                Await.until("a heartbeat's time passes", WAIT,
                        () -> Instant.now().isAfter(down.plus(AckPublisher.HEARTBEAT).plusSeconds(1)));
                assertEquals("HTTP/1.1 200 OK", get(node).startLine(), "served while Kafka is away");
                Instant back = Instant.now();
                kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);
                try (SnapshotWriter.Publisher publisher = SnapshotWriter.publisher(bootstrap, "fleet-it", 512 * 1024)) {
                    publisher.publish(SnapshotCodec.create(2, Instant.now(), List.of(), table(backend, List.of())));
                }
                JsonNode fleet = Await.value("proxy-o shown at version 2", WAIT, () -> fleet(bootstrap),
                        f -> f.path("nodes").path(0).path("version").asLong() == 2);
                JsonNode n = fleet.path("nodes").get(0);
                assertEquals(List.of("proxy-o", "up", "true"), List.of(n.path("node").asText(), n.path("state").asText(),
                        n.path("ready").asText()), fleet.toString());
                List<ProxyAck> acks;
                try (AuditLog log = AuditLog.open(KafkaConnection.of(bootstrap), WAIT)) {
                    acks = log.acksSince(down);
                }
                assertTrue(acks.stream().anyMatch(a -> a.node().equals("proxy-o") && a.type() == ProxyAck.Type.HEARTBEAT
                        && !a.at().isBefore(down) && a.at().isBefore(back)), "a heartbeat made during the outage: " + acks);
            }
        } finally {
            kafka.close();
        }
    }

    private static RoutingTable table(EchoBackend backend, List<TlsBinding> tls) {
        Backend b = new Backend(Backend.idOf("c", "default", "fleet", "80"), "c", "default", "fleet", "80",
                List.of(new Endpoint("127.0.0.1", backend.port())), null);
        return new RoutingTable(List.of(new VirtualHost(HOST, List.of(new Route("/", PathMatch.PREFIX, b.id(), "c/default/fleet")))),
                null, List.of(b), tls, List.of());
    }

    private static dev.signalbox.rawhttp.RawHttp.Message get(ProxyNode node) throws Exception {
        try (RawHttpConnection c = RawHttpConnection.open(node.httpPort(), Duration.ofSeconds(2), Duration.ofSeconds(10))) {
            return c.get(HOST, "/");
        }
    }

    /** {@code bin/ingress fleet --output json}, as a user runs it. */
    private static JsonNode fleet(String bootstrap) {
        StringWriter out = new StringWriter();
        var cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        int status = cl.execute("fleet", "--kafka", bootstrap, "--output", "json", "--since", "10m");
        try {
            return status == 0 ? Json.MAPPER.readTree(out.toString()) : Json.MAPPER.createObjectNode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
