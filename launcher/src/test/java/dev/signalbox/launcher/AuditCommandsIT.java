package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.Topics;
import dev.signalbox.compiler.kafka.Replay;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.TransactionMark;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.Ports;
import dev.signalbox.testing.TestCerts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The audit commands on a real broker and the real compiler: a scripted sequence of cluster changes (add an
 * Ingress, change its path, scale its endpoints up and to zero, rotate its certificate, delete it), then each
 * command's JSON checked against what the sequence implies, by version and by time, a miss and a 503 included.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditCommandsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String HOST = "shop.example.com";
    private static EmbeddedKafka kafka;
    private static KafkaProducer<String, byte[]> events;
    private static Compiler compiler;
    /** Version and a time just after it was published, for each step. */
    private static long added, pathChanged, scaledUp, scaledToZero, rotated, deleted;
    private static Instant afterAdded, afterPathChanged, afterScaledUp;

    @BeforeAll
    static void script() {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        events = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        compiler = Compiler.start(CompilerConfig.defaults(kafka.bootstrapServers()));
        publish(Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", false));
        publish(Kind.INGRESS_CLASS, "", "nginx", new IngressClassState("k8s.io/ingress-nginx", false));
        publish(Kind.SERVICE, "shop", "web", new ServiceState("ClusterIP", null,
                List.of(new ServiceState.Port("http", 80, "8080", "TCP"))));
        publish(Kind.ENDPOINT_SLICE, "shop", "web-1", slice("10.0.0.1"));
        publish(Kind.SECRET, "shop", "shop-tls", secret());
        publish(Kind.INGRESS, "shop", "legacy", ingress("nginx", "legacy.example.com", "/"));
        publish(Kind.INGRESS, "shop", "web", ingress("signalbox", HOST, "/checkout"));
        try (SnapshotLog log = SnapshotLog.connect(kafka.bootstrapServers(), "audit-it")) {
            // The baseline may take a version or two of its own; the first with the route is the Ingress's.
            added = Await.value("a version routing " + HOST, WAIT, () -> log.latest(WAIT).orElse(null),
                    snap -> snap != null && snap.table().virtualHosts().stream().anyMatch(v -> v.host().equals(HOST))).version();
        }
        afterAdded = tick();
        publish(Kind.INGRESS, "shop", "web", ingress("signalbox", HOST, "/pay"));
        pathChanged = awaitNewVersion(added);
        afterPathChanged = tick();
        // Versions go out as deltas (issue 15); scaledUp is asked for whole, so the retention test below can delete
        // every record before it and still read it and what follows.
        compiler.publishNextVersionWhole();
        publish(Kind.ENDPOINT_SLICE, "shop", "web-1", slice("10.0.0.1", "10.0.0.2"));
        scaledUp = awaitNewVersion(pathChanged);
        afterScaledUp = tick();
        publish(Kind.ENDPOINT_SLICE, "shop", "web-1", slice());
        scaledToZero = awaitNewVersion(scaledUp);
        publish(Kind.SECRET, "shop", "shop-tls", secret());
        rotated = awaitNewVersion(scaledToZero);
        ClusterEvent delete = ClusterEvent.delete(new ObjectKey("c1", Kind.INGRESS, "shop", "web"), "uid-web", "9",
                Instant.parse("2026-12-04T13:10:00Z"), 1);
        send(delete);
        deleted = awaitNewVersion(rotated);
    }

    @AfterAll
    static void stop() {
        compiler.close();
        events.close();
        kafka.close();
    }

    @Test
    void historyListsEveryVersionWithWhatChangedAndTheObjectsThatCausedIt() throws Exception {
        Result r = run("history", "--output", "json", "--limit", "50");
        assertEquals(0, r.status, r.err);
        JsonNode versions = r.json().path("versions");
        List<Long> listed = new ArrayList<>();
        versions.forEach(v -> listed.add(v.path("version").asLong()));
        assertEquals(List.of(added, pathChanged, scaledUp, scaledToZero, rotated, deleted), listed.subList(
                listed.indexOf(added), listed.size()));
        assertEquals(1L, listed.get(0), "the whole history, from version 1");
        int a = listed.indexOf(added);
        JsonNode first = versions.get(a);
        assertEquals(1, first.path("changes").path("routes").path("added").asInt());
        assertTrue(causes(first).contains("UPSERT c1/Ingress/shop/web"), causes(first).toString());
        JsonNode path = versions.get(a + 1);
        assertEquals(1, path.path("changes").path("routes").path("added").asInt());
        assertEquals(1, path.path("changes").path("routes").path("removed").asInt());
        assertEquals(List.of("UPSERT c1/Ingress/shop/web"), causes(path));
        assertEquals(List.of("UPSERT c1/EndpointSlice/shop/web-1"), causes(versions.get(a + 2)));
        assertEquals(1, versions.get(a + 2).path("changes").path("endpoints").path("added").asInt());
        assertEquals(1, versions.get(a + 4).path("changes").path("tls").path("changed").asInt());
        assertEquals(List.of("DELETE c1/Ingress/shop/web"), causes(versions.get(a + 5)));

        Result since = run("history", "--output", "json", "--since", afterPathChanged.toString(), "--limit", "2");
        List<Long> window = new ArrayList<>();
        since.json().path("versions").forEach(v -> window.add(v.path("version").asLong()));
        assertEquals(List.of(scaledUp, scaledToZero), window);

        Result otherHost = run("history", "--output", "json", "--host", "nowhere.example.com");
        assertEquals(0, otherHost.json().path("versions").size(), otherHost.out);
    }

    @Test
    void showPrintsTheRoutesDocumentOfAVersionOrOfATime() throws Exception {
        Result byVersion = run("show", "--output", "json", "--version", String.valueOf(pathChanged));
        assertEquals(0, byVersion.status, byVersion.err);
        JsonNode doc = byVersion.json();
        assertEquals(pathChanged, doc.path("version").asLong());
        assertEquals(doc.path("contentHash").asText(), doc.path("hash").asText());
        assertEquals("/pay", doc.path("table").path("virtualHosts").get(0).path("routes").get(0).path("path").asText());
        assertTrue(doc.path("table").path("tls").get(0).path("privateKey").isMissingNode(), "no sealed key in show");

        Result byTime = run("show", "--output", "json", "--at", afterAdded.toString());
        assertEquals(added, byTime.json().path("version").asLong(), byTime.err);

        Result missing = run("show", "--output", "json", "--version", "999");
        assertEquals(1, missing.status);
        assertEquals("", missing.out);
        assertTrue(missing.err.contains("no snapshot with version 999"), missing.err);
    }

    @Test
    void explainAnswersAHitAMissAnUnknownClassAndA503() throws Exception {
        Result hit = run("explain", "--output", "json", "--host", HOST, "--path", "/checkout/cart", "--at",
                afterAdded.toString(), "--https");
        assertEquals(0, hit.status, hit.err);
        JsonNode x = hit.json();
        assertEquals(added, x.path("version").asLong());
        assertEquals(200, x.path("status").asInt());
        assertEquals(HOST, x.path("virtualHost").asText());
        assertEquals("exact", x.path("hostMatch").asText());
        assertEquals("/checkout", x.path("route").path("path").asText());
        assertEquals("PREFIX", x.path("route").path("pathType").asText());
        assertEquals("web", x.path("route").path("ingress").path("name").asText());
        assertEquals("10.0.0.1", x.path("backend").path("endpoints").get(0).path("address").asText());
        assertEquals("c1/shop/shop-tls", x.path("tls").path("secret").asText());
        assertEquals("UPSERT", x.path("lastChangedBy").get(0).path("op").asText());
        // Asked about a proxy of local mode's cluster (the default), the shop's cluster c1 is another one.
        assertEquals("local prefer-local remote 10.0.0.1", x.path("locality").path("cluster").asText() + " "
                + x.path("locality").path("policy").asText() + " " + x.path("locality").path("tiers").get(0).asText() + " "
                + x.path("locality").path("endpoints").get(0).path("address").asText());
        Result inC1 = run("explain", "--output", "json", "--host", HOST, "--path", "/checkout/cart", "--at",
                afterAdded.toString(), "--https", "--cluster-id", "c1", "--zone", "z1");
        assertEquals("c1 z1 local-cluster", inC1.json().path("locality").path("cluster").asText() + " "
                + inC1.json().path("locality").path("zone").asText() + " "
                + inC1.json().path("locality").path("tiers").get(0).asText(), inC1.out);
        assertTrue(run("explain", "--host", HOST, "--path", "/checkout/cart", "--at", afterAdded.toString(), "--https")
                .out.contains("locality    remote -> 10.0.0.1"), "the table names the serving tier");

        Result redirect = run("explain", "--output", "json", "--host", HOST, "--path", "/checkout", "--version",
                String.valueOf(added));
        assertEquals(308, redirect.json().path("status").asInt(), redirect.out);

        Result miss = run("explain", "--output", "json", "--host", HOST, "--path", "/checkout", "--https", "--version",
                String.valueOf(pathChanged));
        assertEquals(1, miss.status);
        assertEquals(404, miss.json().path("status").asInt());
        assertEquals("/pay (PREFIX)", miss.json().path("candidates").get(0).asText(), miss.out);

        Result noEndpoint = run("explain", "--output", "json", "--host", HOST, "--path", "/pay", "--https", "--version",
                String.valueOf(scaledToZero));
        assertEquals(1, noEndpoint.status);
        assertEquals(503, noEndpoint.json().path("status").asInt(), noEndpoint.out);
        assertEquals("UPSERT c1/EndpointSlice/shop/web-1", cause(noEndpoint.json().path("lastChangedBy").get(0)));

        Result notOurs = run("explain", "--output", "json", "--host", "legacy.example.com", "--path", "/");
        assertEquals(1, notOurs.status);
        assertTrue(notOurs.json().path("reason").asText().contains("c1/shop/legacy names it but is not ours (class nginx)"),
                notOurs.out);

        Result gone = run("explain", "--output", "json", "--host", HOST, "--path", "/pay");
        assertEquals("no virtual host for shop.example.com and no default backend", gone.json().path("reason").asText());
    }

    @Test
    void diffByVersionsAndByTimes() throws Exception {
        Result versions = run("diff", "--output", "json", String.valueOf(added), String.valueOf(pathChanged));
        assertEquals(0, versions.status, versions.err);
        JsonNode d = versions.json();
        assertEquals("/pay", d.path("added").path("routes").get(0).path("path").asText());
        assertEquals("/checkout", d.path("removed").path("routes").get(0).path("path").asText());
        assertEquals(0, d.path("changed").path("routes").size());

        Result times = run("diff", "--output", "json", "--at", afterPathChanged.toString(), "--at", afterScaledUp.toString());
        JsonNode t = times.json();
        assertEquals(pathChanged, t.path("from").asLong());
        assertEquals(scaledUp, t.path("to").asLong());
        assertEquals("10.0.0.2", t.path("added").path("endpoints").get(0).path("address").asText(), times.out);
    }

    @Test
    @Order(Integer.MAX_VALUE - 3)
    void fleetShowsTwoProxiesTheVersionTheyServeThenOneStopped() throws Exception {
        ProxyNode one = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "proxy-a", "127.0.0.1", 0, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(30)));
        ProxyNode two = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "proxy-b", "127.0.0.1", 0, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(30))
                .withLocality(new dev.signalbox.routing.Locality("c1", "z2", dev.signalbox.routing.Locality.Policy.PREFER_LOCAL)));
        boolean twoClosed = false;
        try {
            Await.until("both proxies serve version " + deleted, WAIT,
                    () -> one.appliedVersion() == deleted && two.appliedVersion() == deleted);
            // A change while both run: its row says when the last of the two had it.
            publish(Kind.INGRESS, "shop", "blog", ingress("signalbox", "blog.example.com", "/"));
            long blog = awaitNewVersion(deleted);
            JsonNode both = Await.value("both nodes acknowledged version " + blog, WAIT, () -> fleet("--since", "10m"),
                    f -> f.path("versions").size() > 0 && f.path("versions").get(f.path("versions").size() - 1)
                            .path("nodesApplied").asInt() == 2);
            assertEquals(List.of("proxy-a up " + blog + " true", "proxy-b up " + blog + " true"), nodes(both));
            // Each node told the fleet where it runs.
            List<String> where = new ArrayList<>();
            both.path("nodes").forEach(n -> where.add(n.path("cluster").asText() + "/" + n.path("zone").asText("-")));
            assertEquals(List.of("local/-", "c1/z2"), where);
            JsonNode row = both.path("versions").get(both.path("versions").size() - 1);
            assertEquals(blog, row.path("version").asLong());
            assertEquals(2, row.path("nodesTotal").asInt());
            assertTrue(row.path("allAppliedAt").isTextual(), row.toString());
            assertTrue(both.path("p50Millis").isNumber(), both.toString());

            two.close();
            twoClosed = true;
            JsonNode after = Await.value("proxy-b shown as stopped", WAIT, () -> fleet("--since", "10m"),
                    f -> nodes(f).contains("proxy-b stopped " + blog + " false"));
            assertEquals(List.of("proxy-a up " + blog + " true", "proxy-b stopped " + blog + " false"), nodes(after));
            Result text = run("fleet", "--since", "10m");
            assertTrue(text.out.contains("proxy-b") && text.out.contains("stopped"), text.out);
        } finally {
            one.close();
            if (!twoClosed) {
                two.close();
            }
        }
    }

    private static JsonNode fleet(String... args) {
        List<String> all = new ArrayList<>(List.of("fleet", "--output", "json"));
        all.addAll(List.of(args));
        try {
            return run(all.toArray(String[]::new)).json();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> nodes(JsonNode fleet) {
        List<String> out = new ArrayList<>();
        fleet.path("nodes").forEach(n -> out.add(n.path("node").asText() + " " + n.path("state").asText() + " "
                + n.path("version").asLong() + " " + n.path("ready").asBoolean()));
        return out;
    }

    @Test
    @Order(Integer.MAX_VALUE - 2)
    void verifyReproducesEveryVersionFromTheEvents() throws Exception {
        Result r = run("verify", "--output", "json");
        assertEquals(0, r.status, r.err);
        // Every version so far (the fleet test, before this one, adds one after `deleted`).
        assertTrue(r.json().path("checked").asLong() >= deleted, r.out);
        assertEquals(r.json().path("checked").asLong(), r.json().path("identical").asLong(), r.out);
        assertTrue(r.err.contains("versions checked"), r.err);
        assertTrue(!r.out.contains("versions checked"), "progress never on stdout: " + r.out);
        // Off a terminal: a line each time, here at every version.
        Result lines = run("verify", "--output", "json", "--progress-every-ms", "0");
        assertEquals(0, lines.status, lines.err);
        assertTrue(lines.err.lines().filter(l -> l.matches("verify: \\d+ versions checked \\(at version \\d+\\).*")).count()
                >= deleted - 1, lines.err);
        assertTrue(lines.err.lines().noneMatch(l -> l.contains("\r")), "no bar off a terminal: " + lines.err);
        assertEquals(lines.json().path("checked"), r.json().path("checked"), lines.out);
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    void verifyFindsAHandWrittenSnapshotRecordAndNamesItsVersion() throws Exception {
        try (SnapshotLog log = SnapshotLog.connectForAudit(kafka.bootstrapServers(), "audit-it-forger")) {
            RoutingSnapshot real = log.version(pathChanged, WAIT).orElseThrow().snapshot();
            long end = log.endOffset(WAIT);
            RoutingTable t = real.table();
            // Someone sends /pay elsewhere by hand: a consistent record (its hash matches its table), not compiled.
            VirtualHost vh = t.virtualHosts().get(0);
            Route r = vh.routes().get(0);
            RoutingTable forged = new RoutingTable(List.of(new VirtualHost(vh.host(), List.of(new Route("/admin",
                    r.match(), r.backend(), r.source(), r.httpsRedirect())))), t.defaultBackend(), t.backends(), t.tls(),
                    t.ingresses(), t.diagnostics());
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "audit-it-forger");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                new SnapshotWriter(producer, 512 * 1024).publish(SnapshotCodec.create(real.version(), real.createdAt(),
                        real.provenance(), forged));
            }
            // commitTransaction() returns before the commit markers are written: verify must find the record readable.
            Await.until("the forged record readable", WAIT, () -> log.endOffset(WAIT) > end);
        }
        Result r = run("verify", "--output", "json");
        assertEquals(1, r.status, r.err);
        assertEquals(List.of(pathChanged), Json.MAPPER.convertValue(r.json().path("different"),
                new com.fasterxml.jackson.core.type.TypeReference<List<Long>>() { }), r.out);
        assertEquals(pathChanged, r.json().path("firstDifference").path("version").asLong());
        assertEquals("/admin", r.json().path("firstDifference").path("diff").path("added").path("routes").get(0)
                .path("path").asText(), r.out);
        Result text = run("verify");
        assertTrue(text.out.contains("first difference: version " + pathChanged), text.out);
    }

    /** Last: deletes the oldest snapshot records, as retention does after 30 days. */
    @Test
    @Order(Integer.MAX_VALUE)
    void showAndExplainAtATimeOlderThanEveryKeptSnapshotRecompileFromTheEvents() throws Exception {
        JsonNode kept = run("show", "--output", "json", "--version", String.valueOf(added)).json();
        Result before = run("show", "--output", "json", "--at", afterAdded.toString());
        assertEquals(added, before.json().path("version").asLong(), before.err);
        JsonNode keptDiff = run("diff", "--output", "json", String.valueOf(added), String.valueOf(scaledUp)).json();
        assertEquals(false, before.json().path("recompiledFromEvents").asBoolean(true), before.out);
        long oldestKept;
        try (SnapshotLog log = SnapshotLog.connectForAudit(kafka.bootstrapServers(), "audit-it-retention")) {
            oldestKept = log.version(scaledUp, WAIT).orElseThrow().firstOffset();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.deleteRecords(Map.of(SnapshotLog.PARTITION, RecordsToDelete.beforeOffset(oldestKept))).all().get();
        }

        Result show = run("show", "--output", "json", "--at", afterAdded.toString());
        assertEquals(0, show.status, show.err);
        JsonNode doc = show.json();
        assertTrue(doc.path("recompiledFromEvents").asBoolean(), show.out);
        assertTrue(doc.path("version").isNull() && doc.path("previousVersion").isNull(), show.out);
        assertEquals(kept.path("hash").asText(), doc.path("hash").asText(), "the table version " + added + " held");
        assertEquals(kept.path("table"), doc.path("table"));
        assertEquals(0, doc.path("heldBackRecords").asInt(), show.out);
        assertTrue(show.err.contains("no snapshot of " + afterAdded + " is kept (oldest: version " + scaledUp
                + " published "), show.err);
        assertTrue(show.err.contains("recompiled from the events up to " + afterAdded), show.err);

        Result table = run("show", "--at", afterAdded.toString());
        assertEquals(0, table.status, table.err);
        assertTrue(table.out.startsWith("recompiled from the events up to " + afterAdded), table.out);
        assertTrue(table.out.contains("/checkout"), table.out);

        Result x = run("explain", "--output", "json", "--host", HOST, "--path", "/checkout", "--https", "--at",
                afterAdded.toString());
        assertEquals(0, x.status, x.err);
        assertEquals(200, x.json().path("status").asInt(), x.out);
        assertTrue(x.json().path("recompiledFromEvents").asBoolean(), x.out);

        Result diff = run("diff", "--output", "json", "--at", afterAdded.toString(), "--at", afterScaledUp.toString());
        assertEquals(0, diff.status, diff.err);
        JsonNode dd = diff.json();
        assertTrue(dd.path("from").isNull() && dd.path("fromRecompiledFromEvents").asBoolean(), diff.out);
        assertEquals(afterAdded.toString(), dd.path("fromAt").asText(), diff.out);
        assertEquals(scaledUp, dd.path("to").asLong(), diff.out);
        assertEquals(false, dd.path("toRecompiledFromEvents").asBoolean(true), diff.out);
        assertEquals(List.of(keptDiff.path("added"), keptDiff.path("removed"), keptDiff.path("changed")),
                List.of(dd.path("added"), dd.path("removed"), dd.path("changed")), "the same difference as between the versions");
        assertTrue(diff.err.contains("recompiled from the events up to " + afterAdded), diff.err);
        Result diffText = run("diff", "--at", afterAdded.toString(), "--at", afterScaledUp.toString());
        assertTrue(diffText.out.startsWith("from the table recompiled from the events up to " + afterAdded + " to version "
                + scaledUp), diffText.out);

        // A time a kept snapshot covers is still answered by it.
        Result still = run("show", "--output", "json", "--at", afterScaledUp.toString());
        assertEquals(scaledUp, still.json().path("version").asLong(), still.err);
        assertEquals(false, still.json().path("recompiledFromEvents").asBoolean(true), still.out);
    }

    /** A cut by time inside a watcher transaction leaves the whole transaction out (issue 21). */
    @Test
    @Order(Integer.MAX_VALUE)
    void aCutByTimeKeepsWholeTransactionsOnly() throws Exception {
        // One transaction of two records in two partitions, the second published two seconds after the first.
        // Ahead of every other event (the broker takes timestamps up to an hour ahead).
        Instant t = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        TransactionMark mark = new TransactionMark("signalbox-watcher-c9", "session", 1, 1, 2);
        long first = sendAt(0, t, ClusterEvent.upsert(new ObjectKey("c9", Kind.SERVICE, "shop", "a"), "uid-a", "1",
                t, 1, new ServiceState("ClusterIP", null, List.of())).withTransaction(mark));
        sendAt(1, t.plusSeconds(2), ClusterEvent.upsert(new ObjectKey("c9", Kind.SERVICE, "shop", "b"), "uid-b", "1",
                t, 1, new ServiceState("ClusterIP", null, List.of())).withTransaction(mark));

        Replay.AtTime between = Replay.tableAtTime(kafka.bootstrapServers(), t.plusSeconds(1), WAIT);
        assertEquals(1, between.heldBack(), between.toString());
        assertEquals(first, between.provenance().get(0).nextOffset(), "cut before the transaction's first record");
        assertEquals(first + 1, between.byTime().get(0).nextOffset(), "the time alone would have cut after it");

        Replay.AtTime after = Replay.tableAtTime(kafka.bootstrapServers(), t.plusSeconds(3), WAIT);
        assertEquals(0, after.heldBack(), after.toString());
        assertEquals(after.byTime(), after.provenance());
    }

    private static long sendAt(int partition, Instant time, ClusterEvent e) throws Exception {
        long offset = events.send(new ProducerRecord<>(Topics.EVENTS, partition, time.toEpochMilli(), e.key().recordKey(),
                EventLogCodec.encode(e))).get().offset();
        events.flush();
        return offset;
    }

    @Test
    void theKafkaConfigFilesSettingsReachEveryClientACommandMakes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("client.properties");
        java.nio.file.Files.writeString(file, "client.id=from-kafka-config\nmetric.reporters="
                + ClientConfigRecorder.class.getName() + "\n");
        ClientConfigRecorder.CONFIGS.clear();
        Result history = run("history", "--output", "json", "--limit", "3", "--kafka-config", file.toString());
        assertEquals(0, history.status, history.err);
        assertEquals(3, history.json().path("versions").size(), history.out);
        // Two consumers: the snapshots reader and the events reader (the causes).
        assertEquals(2, fromFile(), ClientConfigRecorder.CONFIGS.toString());
        ClientConfigRecorder.CONFIGS.clear();
        Result verify = run("verify", "--output", "json", "--kafka-config", file.toString());
        assertEquals(0, verify.status, verify.err);
        // The snapshots reader and the replay's events reader.
        assertEquals(2, fromFile(), ClientConfigRecorder.CONFIGS.toString());
    }

    private static long fromFile() {
        return ClientConfigRecorder.CONFIGS.stream().filter(c -> "from-kafka-config".equals(c.get("client.id"))).count();
    }

    @Test
    void usageErrorsExit2AndAnUnreachableKafkaExits3() {
        assertEquals(2, run("explain", "--path", "/").status);
        assertEquals(2, run("diff", "1").status);
        assertEquals(2, run("history", "--since", "yesterday").status);
        Result away = runAgainst("127.0.0.1:" + Ports.free(), "show", "--version", "1");
        assertEquals(3, away.status);
        assertTrue(away.err.contains("cannot reach Kafka"), away.err);
    }

    private static List<String> causes(JsonNode version) {
        List<String> out = new ArrayList<>();
        version.path("causes").forEach(c -> out.add(cause(c)));
        return out;
    }

    private static String cause(JsonNode c) {
        return c.path("op").asText() + " " + c.path("cluster").asText() + "/" + c.path("kind").asText() + "/"
                + c.path("namespace").asText() + "/" + c.path("name").asText();
    }

    record Result(int status, String out, String err) {
        JsonNode json() throws Exception {
            return Json.MAPPER.readTree(out);
        }
    }

    private static Result run(String... args) {
        return runAgainst(kafka.bootstrapServers(), args);
    }

    private static Result runAgainst(String bootstrap, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--kafka");
        all.add(2, bootstrap);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(all.toArray(String[]::new));
        return new Result(status, out.toString(), err.toString());
    }

    private static long awaitNewVersion(long after) {
        Await.until("a version after " + after, WAIT, () -> compiler.publishedVersion() > after);
        return compiler.publishedVersion();
    }

    /** Now, once the clock has moved past it, so the next version is published strictly later. */
    private static Instant tick() {
        Instant t = Instant.now();
        Await.until("the clock passes " + t, WAIT, () -> Instant.now().isAfter(t.plusMillis(1)));
        return t;
    }

    private static EndpointSliceState slice(String... addresses) {
        List<EndpointSliceState.Endpoint> endpoints = new ArrayList<>();
        for (String a : addresses) {
            endpoints.add(new EndpointSliceState.Endpoint(List.of(a), true, true, false));
        }
        return new EndpointSliceState("web", "IPv4", List.of(new EndpointSliceState.Port("http", 8080, "TCP")), endpoints);
    }

    private static TlsSecretState secret() {
        return new TlsSecretState(TestCerts.selfSigned(HOST).certPem(), new SealedKey("k1", "AES-256-GCM",
                "AAAAAAAAAAAAAAAA", "c2VhbGVk"), null, null);
    }

    private static IngressState ingress(String className, String host, String path) {
        return new IngressState(className, Map.of(), Instant.EPOCH, null,
                List.of(new IngressState.TlsEntry(List.of(host), "shop-tls")),
                List.of(new IngressState.Rule(host, List.of(new IngressState.PathRule(path, "Prefix",
                        new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null))))));
    }

    private static int observed;

    private static void publish(Kind kind, String ns, String name, ObjectState state) {
        observed++;
        send(ClusterEvent.upsert(new ObjectKey("c1", kind, ns, name), "uid-" + name, String.valueOf(observed),
                Instant.parse("2026-12-04T13:00:00Z").plusSeconds(observed), 1, state));
    }

    private static void send(ClusterEvent e) {
        events.send(new ProducerRecord<>(Topics.EVENTS, e.key().recordKey(), ClusterEventCodec.encode(e)));
        events.flush();
    }
}
