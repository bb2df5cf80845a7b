package dev.signalbox.e2e.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.e2e.chaos.IngressProcess;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.schemas.Topics;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signalbox's topics on a real broker, through `bin/ingress` processes as a user runs them: components
 * started on a broker without topics create them and serve; with `--no-create-topics` they stop naming the
 * command that creates them; a topic created beforehand with a setting that breaks Signalbox stops a
 * component and `topics check` names it; `topics check` exits 0 on a correct set, 1 on a broken one, 3 when
 * Kafka is unreachable.
 */
class TopicsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void componentsOnABrokerWithoutTopicsCreateThemAndTheLocalPipelineServes(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        List<Process> processes = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend echo = EchoBackend.start("echo")) {
            String bootstrap = kafka.bootstrapServers();
            Manifests m = new Manifests("bench");
            Files.writeString(manifests.resolve("all.yaml"), Manifests.ingressClass() + "---\n"
                    + m.service("echo", echo.port()) + "---\n" + m.ingress("echo", "echo.local", "/", "echo"));
            int http = Ports.free();
            try {
                // In the README's order: the watcher, the compiler, then a proxy; each creates what it needs.
                processes.add(IngressProcess.start("256m", dir.resolve("watcher.log"), "watcher", "--kafka", bootstrap,
                        "--manifests", manifests.toString()));
                processes.add(IngressProcess.start("256m", dir.resolve("compiler.log"), "compiler", "--kafka", bootstrap));
                processes.add(IngressProcess.start("256m", dir.resolve("proxy.log"), "proxy", "--kafka", bootstrap,
                        "--http-port", String.valueOf(http), "--admin-port", String.valueOf(Ports.free()), "--bind", "127.0.0.1"));
                Await.value("echo.local served through the proxy", WAIT, () -> Http.tryGet(http, "echo.local", "/"),
                        r -> r != null && r.statusCode() == 200);
            } finally {
                processes.forEach(Process::destroy);
                for (Process p : processes) {
                    p.waitFor(20, TimeUnit.SECONDS);
                }
            }
            assertEquals(Set.of(Topics.EVENTS, Topics.SNAPSHOTS, Topics.COMPILER_MODEL, Topics.COMPILER_LEASE, Topics.PROXY_ACKS),
                    topicNames(bootstrap));
            String logs = Files.readString(dir.resolve("watcher.log")) + Files.readString(dir.resolve("compiler.log"));
            assertTrue(logs.contains("created topic " + Topics.EVENTS), logs);
            Result check = run(dir, "check", "topics", "check", "--kafka", bootstrap);
            assertEquals(0, check.status(), check.output());
        }
    }

    @Test
    void withNoCreateTopicsEachComponentStopsAndNamesTheCommandThatCreatesThem(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("empty.yaml"), "");
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            for (List<String> command : List.of(
                    List.of("watcher", "--kafka", bootstrap, "--manifests", dir.toString(), "--no-create-topics"),
                    List.of("compiler", "--kafka", bootstrap, "--no-create-topics"),
                    List.of("proxy", "--kafka", bootstrap, "--http-port", "0", "--admin-port", "0", "--bind", "127.0.0.1",
                            "--no-create-topics"))) {
                Result r = run(dir, command.get(0), command.toArray(String[]::new));
                assertEquals(1, r.status(), r.output());
                assertTrue(r.output().contains("--no-create-topics forbids creating")
                        && r.output().contains("`bin/ingress topics create --kafka " + bootstrap + "`"), r.output());
            }
            assertEquals(Set.of(), topicNames(bootstrap));
        }
    }

    @Test
    void aTopicCreatedWithASettingThatBreaksSignalboxStopsTheComponentAndTheCheckNamesIt(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            String bootstrap = kafka.bootstrapServers();
            // Someone created the events topic by hand, kept forever but compacted: it would lose the history.
            admin.createTopics(List.of(new NewTopic(Topics.EVENTS, Optional.of(3), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact", "retention.ms", "-1")))).all().get();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);

            Result compiler = run(dir, "compiler", "compiler", "--kafka", bootstrap);
            assertEquals(1, compiler.status(), compiler.output());
            String fix = "kafka-configs.sh --bootstrap-server " + bootstrap
                    + " --alter --entity-type topics --entity-name signalbox.events --add-config cleanup.policy=delete";
            assertTrue(compiler.output().contains("signalbox.events cleanup.policy: found compact, Signalbox needs delete")
                    && compiler.output().contains(fix), compiler.output());

            Result broken = run(dir, "check-broken", "topics", "check", "--kafka", bootstrap);
            assertEquals(1, broken.status(), broken.output());
            assertTrue(broken.output().contains("signalbox.events          3           1         BREAKS (1 setting)")
                    && broken.output().contains("signalbox.events cleanup.policy: found compact, Signalbox needs delete")
                    && broken.output().contains("fix: " + fix), broken.output());

            // The fix the check names, done through the admin API, makes the set correct.
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.EVENTS),
                    List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET)))).all().get();
            Result fixed = run(dir, "check-fixed", "topics", "check", "--kafka", bootstrap);
            assertEquals(0, fixed.status(), fixed.output());
            assertTrue(fixed.output().contains("signalbox.events          3           1         ok"), fixed.output());
        }
    }

    @Test
    void topicsCreateIsIdempotentAndTheCheckExits3WhenKafkaIsUnreachable(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            Result first = run(dir, "create-1", "topics", "create", "--kafka", bootstrap, "--partitions", "4");
            assertEquals(0, first.status(), first.output());
            assertTrue(first.output().contains("created signalbox.events (4 partitions, 1 replica)"), first.output());
            Result second = run(dir, "create-2", "topics", "create", "--kafka", bootstrap);
            assertEquals(0, second.status(), second.output());
            assertFalse(second.output().contains("created"), second.output());
            assertTrue(second.output().contains("signalbox.events          4           1         ok"), second.output());
            Result json = run(dir, "check-json", "topics", "check", "--kafka", bootstrap, "--output", "json");
            assertEquals(0, json.status(), json.output());
            var doc = dev.signalbox.schemas.codec.Json.MAPPER.readTree(json.output());
            assertEquals(false, doc.get("breaks").asBoolean(), json.output());
            assertEquals(List.of(4, 1, 1), List.of(doc.get("topics").get(0).get("partitions").asInt(),
                    doc.get("topics").get(1).get("partitions").asInt(), doc.get("topics").get(2).get("partitions").asInt()));
        }
        Result unreachable = run(dir, "unreachable", "topics", "check", "--kafka", "127.0.0.1:" + Ports.free());
        assertEquals(3, unreachable.status(), unreachable.output());
        assertTrue(unreachable.output().contains("is unreachable"), unreachable.output());
    }

    private record Result(int status, String output) {
    }

    private static Result run(Path dir, String name, String... args) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process p = IngressProcess.start("256m", log, args);
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "bin/ingress " + String.join(" ", args) + " ends");
        return new Result(p.exitValue(), Files.readString(log));
    }

    private static Set<String> topicNames(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listTopics().names().get();
        }
    }
}
