package dev.signalbox.e2e.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * High availability of the compiler (issue 15), with real {@code bin/ingress compiler} processes on one broker:
 * SIGKILL of the active one with a standby running, SIGSTOP of the active one past its lease and SIGCONT, three
 * started at once under a change stream, and local mode joined by a foreign compiler that is then SIGKILLed.
 * Versions must stay 1, 2, 3... and every change must reach the last snapshot. Which process is active is read
 * from its log ("is active for term N").
 */
class CompilerFailoverIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PAUSES = 3;
    private static final Pattern ACTIVE = Pattern.compile("compiler (\\S+) is active for term (\\d+)");
    private static final Pattern PUBLISHED = Pattern.compile("published snapshot version (\\d+)");

    @Test
    void sigkillOfTheActiveCompilerIsTakenOverByTheStandbyAndSigtermHandsOver() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "chaos-logs"));
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(); Events events = new Events(kafka);
             SnapshotLog snapshots = SnapshotLog.connect(kafka.bootstrapServers(), "failover-reader")) {
            List<Compiler> compilers = new ArrayList<>();
            List<Long> takeovers = new ArrayList<>();
            long handOver;
            int changes = 0;
            try {
                compilers.add(Compiler.start(kafka, logs, "kill-0"));
                events.ingress(changes++);
                Await.until("the first compiler publishes", WAIT, () -> latestVersion(snapshots) > 0);
                compilers.add(Compiler.start(kafka, logs, "kill-1"));
                for (int round = 0; round < 2; round++) {
                    // A standby that has been running a while: it warmed up (a freshly started JVM would also be measured).
                    Compiler standby = compilers.get(compilers.size() - 1);
                    Await.until("the standby warmed up", WAIT, () -> standby.log().contains("standby ready"));
                    for (int i = 0; i < 20; i++) {
                        events.ingress(changes++);
                        Thread.sleep(15);
                    }
                    Compiler active = Compiler.active(compilers);
                    active.process().destroyForcibly().waitFor();
                    long t0 = System.nanoTime();
                    // The next version is the standby's own (a commit the stopped one had sent may still land).
                    long before = standby.published();
                    // Changes keep coming during the takeover; the standby must serve every one.
                    while (standby.published() <= before) {
                        events.ingress(changes++);
                        Thread.sleep(15);
                        assertTrue(System.nanoTime() - t0 < WAIT.toNanos(), "a standby takes over");
                    }
                    takeovers.add((System.nanoTime() - t0) / 1_000_000);
                    compilers.remove(active);
                    compilers.add(Compiler.start(kafka, logs, "kill-" + (round + 2)));
                }
                // Hand-over: SIGTERM makes the active one release the lease; the standby claims it at once.
                Compiler standby = compilers.get(compilers.size() - 1);
                Await.until("the standby warmed up", WAIT, () -> standby.log().contains("standby ready"));
                Compiler active = Compiler.active(compilers);
                long t0 = System.nanoTime();
                long before = standby.published();
                active.process().destroy();
                while (standby.published() <= before) {
                    events.ingress(changes++);
                    Thread.sleep(15);
                    assertTrue(System.nanoTime() - t0 < WAIT.toNanos(), "the standby takes over");
                }
                handOver = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(active.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the SIGTERMed compiler exits");
                events.ingress(changes++);
                int total = changes;
                Await.until("the last change is compiled", WAIT, () -> hosts(snapshots) == total);
            } finally {
                compilers.forEach(c -> c.process().destroyForcibly());
            }
            Versions v = Versions.read(snapshots);
            System.out.printf("active compiler SIGKILLed twice with a standby running: SIGKILL -> next version %s ms; "
                    + "SIGTERM hand-over -> next version %d ms; %s%n", takeovers, handOver, v);
            ChaosReport.row("active compiler SIGTERMed, standby running (hand-over)",
                    "SIGTERM -> next version " + ChaosReport.seconds(List.of(handOver)),
                    "see the SIGKILL row (same run)", v.duplicates() + " versions", "n/a (no HTTP load)");
            ChaosReport.row("active compiler SIGKILLed twice, standby running (" + changes + " events, 1.5 s lease)",
                    "SIGKILL -> next version " + ChaosReport.seconds(takeovers),
                    (changes - v.hosts()) + " of " + changes + " events; " + v.gaps() + " version gaps",
                    v.duplicates() + " versions", "n/a (no HTTP load)");
            v.assertContiguous();
            assertEquals(changes, v.hosts(), "every change made it into the last snapshot");
        }
    }

    @Test
    void aPausedActiveCompilerIsFencedAndReturnsToStandbyWhenResumed() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "chaos-logs"));
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(); Events events = new Events(kafka);
             SnapshotLog snapshots = SnapshotLog.connect(kafka.bootstrapServers(), "pause-reader")) {
            List<Compiler> compilers = new ArrayList<>();
            int changes = 0;
            List<Long> takeovers = new ArrayList<>();
            int rejected = 0;
            try {
                compilers.add(Compiler.start(kafka, logs, "pause-0"));
                events.ingress(changes++);
                Await.until("the first compiler publishes", WAIT, () -> latestVersion(snapshots) > 0);
                compilers.add(Compiler.start(kafka, logs, "pause-1"));
                // Each round pauses the active one, in turn: a pause that falls inside its transaction makes a late write.
                for (int round = 0; round < PAUSES; round++) {
                    Compiler paused = Compiler.active(compilers);
                    Compiler standby = compilers.get(paused == compilers.get(0) ? 1 : 0);
                    Await.until("the other compiler stands by, warm", WAIT, standby::standsByAgain);
                    long fencedBefore = paused.count("was fenced by another compiler");
                    long downBefore = paused.count("steps down to standby") + paused.count("back to standby");
                    for (int i = 0; i < 10; i++) {
                        events.ingress(changes++);
                        Thread.sleep(15);
                    }
                    signal("STOP", paused.process());
                    long t0 = System.nanoTime();
                    // The next version is the standby's own (a commit the stopped one had sent may still land).
                    long before = standby.published();
                    while (standby.published() <= before) {
                        events.ingress(changes++);
                        Thread.sleep(15);
                        assertTrue(System.nanoTime() - t0 < WAIT.toNanos(), "the standby takes over");
                    }
                    takeovers.add((System.nanoTime() - t0) / 1_000_000);
                    signal("CONT", paused.process());
                    for (int i = 0; i < 20; i++) {
                        events.ingress(changes++);
                        Thread.sleep(15);
                    }
                    Await.until("the resumed compiler goes back to standby", WAIT,
                            () -> paused.count("steps down to standby") + paused.count("back to standby") > downBefore);
                    rejected += paused.count("was fenced by another compiler") > fencedBefore ? 1 : 0;
                    assertTrue(paused.process().isAlive(), "the resumed compiler keeps running (as a standby)");
                    assertTrue(standby.lastTerm() > paused.lastTerm(), "the standby won a later term than the paused one held");
                }
                int total = changes;
                Await.until("the last change is compiled", WAIT, () -> hosts(snapshots) == total);
            } finally {
                compilers.forEach(c -> c.process().destroyForcibly());
            }
            Map<Long, List<String>> publishers = Compiler.publishers(compilers);
            Versions v = Versions.read(snapshots);
            System.out.printf("active compiler SIGSTOPped past its lease, then SIGCONT, %d times: takeovers %s ms; late writes "
                    + "rejected by the broker after %d of the pauses (the others stepped down before writing); %s%n",
                    PAUSES, takeovers, rejected, v);
            ChaosReport.row("active compiler SIGSTOPped past its 1.5 s lease, then SIGCONT, " + PAUSES + " times (back to standby"
                    + " each time; a late transaction rejected by the broker after " + rejected + " of the pauses, the others"
                    + " stepped down before writing)",
                    "SIGSTOP -> next version " + ChaosReport.seconds(takeovers),
                    (changes - v.hosts()) + " of " + changes + " events; " + v.gaps() + " version gaps",
                    v.duplicates() + " versions", "n/a (no HTTP load)");
            v.assertContiguous();
            assertEquals(changes, v.hosts(), "every change made it into the last snapshot");
            assertTrue(publishers.values().stream().allMatch(p -> p.size() == 1), "each version published once: " + publishers);
        }
    }

    @Test
    void threeCompilersStartedAtOnceUnderAChangeStreamPublishOneSequence() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "chaos-logs"));
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(); Events events = new Events(kafka);
             SnapshotLog snapshots = SnapshotLog.connect(kafka.bootstrapServers(), "three-reader")) {
            List<Compiler> compilers = new ArrayList<>();
            AtomicInteger changes = new AtomicInteger();
            AtomicBoolean streaming = new AtomicBoolean(true);
            Thread stream = new Thread(() -> {
                while (streaming.get()) {
                    events.ingress(changes.getAndIncrement());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "change-stream");
            long first;
            try {
                stream.start();
                long t0 = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    compilers.add(Compiler.start(kafka, logs, "three-" + i));
                }
                Await.until("a version is published", WAIT, () -> latestVersion(snapshots) > 0);
                first = (System.nanoTime() - t0) / 1_000_000;
                Await.until("the change stream runs on", WAIT, () -> latestVersion(snapshots) > 5);
                streaming.set(false);
                stream.join();
                int total = changes.get();
                Await.until("the last change is compiled", WAIT, () -> hosts(snapshots) == total);
            } finally {
                streaming.set(false);
                compilers.forEach(c -> c.process().destroyForcibly());
            }
            Map<Long, List<String>> winners = Compiler.winners(compilers);
            Map<Long, List<String>> publishers = Compiler.publishers(compilers);
            long activeOnes = winners.values().stream().flatMap(List::stream).distinct().count();
            Versions v = Versions.read(snapshots);
            System.out.printf("three compilers started at once under a change stream: %d became active (term -> winner %s); "
                    + "start -> first version %d ms; %s%n", activeOnes, winners, first, v);
            ChaosReport.row("three compilers started at once under a change stream (" + changes.get() + " events)",
                    "start (3 JVMs) -> first version " + ChaosReport.seconds(List.of(first)) + "; " + winners.size() + " term(s), one winner each",
                    (changes.get() - v.hosts()) + " of " + changes.get() + " events; " + v.gaps() + " version gaps",
                    v.duplicates() + " versions", "n/a (no HTTP load)");
            assertTrue(winners.values().stream().allMatch(w -> w.size() == 1), "each term was won by exactly one compiler: " + winners);
            assertTrue(publishers.values().stream().allMatch(p -> p.size() == 1), "each version published once: " + publishers);
            assertTrue(activeOnes >= 1);
            v.assertContiguous();
            assertEquals(changes.get(), v.hosts(), "every change made it into the last snapshot");
        }
    }

    @Test
    void localModeJoinedByAForeignCompilerThatIsKilledKeepsServingChanges() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "chaos-logs"));
        Path dir = Files.createTempDirectory("failover-local");
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Manifests m = new Manifests("default");
        Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
        Files.writeString(manifests.resolve("svc.yaml"), m.service("web", 8080));
        Files.writeString(manifests.resolve("a.yaml"), m.ingress("a", "a.local", "/", "web"));
        int kafkaPort = Ports.free();
        Process local = IngressProcess.start("512m", logs.resolve("failover-local.log"), "local", "--manifests",
                manifests.toString(), "--data-dir", dir.resolve("data").toString(), "--kafka-port", String.valueOf(kafkaPort),
                "--http-port", String.valueOf(Ports.free()), "--https-port", String.valueOf(Ports.free()),
                "--admin-port", String.valueOf(Ports.free()));
        Process foreign = null;
        try {
            String bootstrap = "localhost:" + kafkaPort;
            Await.until("local mode's Kafka is up", WAIT, () -> read(logs.resolve("failover-local.log")).contains("is active for term"));
            try (SnapshotLog snapshots = SnapshotLog.connect(bootstrap, "failover-local-reader")) {
                Await.until("local mode serves a.local", WAIT, () -> serves(snapshots, "a.local"));
                foreign = IngressProcess.start("256m", logs.resolve("failover-foreign.log"), "compiler", "--kafka", bootstrap);
                Path foreignLog = logs.resolve("failover-foreign.log");
                Await.until("the foreign compiler competes", WAIT, () -> read(foreignLog).contains("competes for the lease"));
                Files.writeString(manifests.resolve("b.yaml"), m.ingress("b", "b.local", "/", "web"));
                Await.until("b.local is served while the foreign compiler runs", WAIT, () -> serves(snapshots, "b.local"));
                foreign.destroyForcibly().waitFor();
                long t0 = System.nanoTime();
                Files.writeString(manifests.resolve("c.yaml"), m.ingress("c", "c.local", "/", "web"));
                Await.until("a change after the foreign compiler's SIGKILL is served", WAIT, () -> serves(snapshots, "c.local"));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                boolean foreignWasActive = read(foreignLog).contains("is active for term");
                System.out.printf("local mode joined by a foreign compiler (active: %s), which was SIGKILLed: next change served in %d ms%n",
                        foreignWasActive, ms);
                ChaosReport.row("local mode joined by a foreign bin/ingress compiler, then its SIGKILL",
                        "SIGKILL -> next change served " + ChaosReport.seconds(List.of(ms)), "0 changes", "n/a",
                        "n/a (no HTTP load)");
                assertTrue(local.isAlive(), "local mode kept running");
                assertTrue(!read(logs.resolve("failover-local.log")).contains("compiler stops"), "local mode's compiler never stopped");
            }
        } finally {
            if (foreign != null) {
                foreign.destroyForcibly().waitFor();
            }
            // A graceful shutdown that hangs fails the test instead of holding the suite until CI's limit.
            local.destroy();
            if (!local.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                local.destroyForcibly().waitFor();
                throw new AssertionError("local mode did not end within " + WAIT + " of its SIGTERM");
            }
        }
    }

    private static boolean serves(SnapshotLog snapshots, String host) {
        return snapshots.latest(WAIT).map(s -> s.table().virtualHosts().stream().anyMatch(v -> v.host().equals(host)))
                .orElse(false);
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void signal(String signal, Process p) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
        assertEquals(0, status, "kill -" + signal);
    }

    private static long latestVersion(SnapshotLog log) {
        return log.latest(WAIT).map(RoutingSnapshot::version).orElse(0L);
    }

    private static long hosts(SnapshotLog log) {
        return log.latest(WAIT).map(s -> s.table().virtualHosts().stream().filter(v -> v.host().startsWith("host-")).count())
                .orElse(0L);
    }

    /** One {@code bin/ingress compiler} process and its log. */
    private record Compiler(Process process, Path logFile) {
        static Compiler start(EmbeddedKafka kafka, Path logs, String name) throws IOException {
            Path log = logs.resolve("compiler-" + name + ".log");
            return new Compiler(IngressProcess.start("256m", log, "compiler", "--kafka", kafka.bootstrapServers()), log);
        }

        String log() {
            return read(logFile);
        }

        /** How many versions this process published (its log says so after each commit). */
        long published() {
            return count("published snapshot version");
        }

        /** How many times {@code text} is in the log. */
        long count(String text) {
            String log = log();
            long n = 0;
            for (int at = log.indexOf(text); at >= 0; at = log.indexOf(text, at + 1)) {
                n++;
            }
            return n;
        }

        /** True when this compiler's latest life stands by, warm (it logged so after it last stepped down or was fenced). */
        boolean standsByAgain() {
            String log = log();
            return log.lastIndexOf("standby ready") > Math.max(log.lastIndexOf("steps down to standby"), log.lastIndexOf("back to standby"));
        }

        /** Each version any of these processes published, and which did (exactly one, if all is well). */
        static Map<Long, List<String>> publishers(List<Compiler> compilers) {
            Map<Long, List<String>> out = new java.util.TreeMap<>();
            for (Compiler c : compilers) {
                Matcher mt = PUBLISHED.matcher(c.log());
                while (mt.find()) {
                    out.computeIfAbsent(Long.parseLong(mt.group(1)), t -> new ArrayList<>()).add(c.logFile().getFileName().toString());
                }
            }
            return out;
        }

        /** The highest term this process's log says it became active for (0: never). */
        long lastTerm() {
            Matcher mt = ACTIVE.matcher(log());
            long term = 0;
            while (mt.find()) {
                term = Math.max(term, Long.parseLong(mt.group(2)));
            }
            return term;
        }

        /** The live process active for the highest term. */
        static Compiler active(List<Compiler> compilers) {
            return Await.value("a compiler is active", WAIT, () -> compilers.stream().filter(c -> c.process().isAlive())
                    .max(java.util.Comparator.comparingLong(Compiler::lastTerm)).filter(c -> c.lastTerm() > 0).orElse(null),
                    c -> c != null);
        }

        /** Each term any of these processes became active for, and which processes did (exactly one, if all is well). */
        static Map<Long, List<String>> winners(List<Compiler> compilers) {
            Map<Long, List<String>> winners = new java.util.TreeMap<>();
            for (Compiler c : compilers) {
                Matcher mt = ACTIVE.matcher(c.log());
                while (mt.find()) {
                    winners.computeIfAbsent(Long.parseLong(mt.group(2)), t -> new ArrayList<>()).add(c.logFile().getFileName().toString());
                }
            }
            return winners;
        }
    }

    /** Every snapshot version in the topic, in order. */
    private record Versions(List<RoutingSnapshot> all) {
        static Versions read(SnapshotLog log) {
            long last = latestVersion(log);
            log.seekToBeginning();
            List<RoutingSnapshot> all = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((all.isEmpty() || all.get(all.size() - 1).version() < last) && System.nanoTime() < deadline) {
                all.addAll(log.poll(Duration.ofMillis(500)));
            }
            return new Versions(all);
        }

        long gaps() {
            long gaps = 0;
            for (int i = 1; i < all.size(); i++) {
                gaps += all.get(i).version() - all.get(i - 1).version() > 1 ? 1 : 0;
            }
            return gaps;
        }

        long duplicates() {
            long d = 0;
            for (int i = 1; i < all.size(); i++) {
                d += all.get(i).version() == all.get(i - 1).version() ? 1 : 0;
            }
            return d;
        }

        long hosts() {
            return all.get(all.size() - 1).table().virtualHosts().stream().filter(v -> v.host().startsWith("host-")).count();
        }

        void assertContiguous() {
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).version(), "versions are 1, 2, 3... with no gap or duplicate");
                assertEquals(i, all.get(i).previousVersion());
            }
        }

        @Override
        public String toString() {
            return all.size() + " versions, " + gaps() + " gaps, " + duplicates() + " duplicates";
        }
    }

    /** The events producer, with the base objects every Ingress here routes to. */
    private static final class Events implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;

        Events(EmbeddedKafka kafka) {
            TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            publish(Kind.INGRESS_CLASS, "", "signalbox", new IngressClassState("signalbox.dev/ingress-controller", false));
            publish(Kind.SERVICE, "ns", "web", new ServiceState("ClusterIP", null,
                    List.of(new ServiceState.Port("http", 80, "8080", "TCP"))));
            publish(Kind.ENDPOINT_SLICE, "ns", "web-1", new EndpointSliceState("web", "IPv4",
                    List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                    List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.1"), true, true, false))));
        }

        void ingress(int i) {
            publish(Kind.INGRESS, "ns", "ing-" + i, new IngressState("signalbox", Map.of(), Instant.EPOCH, null, List.of(),
                    List.of(new IngressState.Rule("host-" + i + ".example.com", List.of(new IngressState.PathRule("/", "Prefix",
                            new IngressState.BackendRef(new IngressState.ServiceRef("web", 80, null), null)))))));
        }

        private void publish(Kind kind, String ns, String name, ObjectState state) {
            ObjectKey key = new ObjectKey("c1", kind, ns, name);
            producer.send(new ProducerRecord<>(Topics.EVENTS, key.recordKey(),
                    ClusterEventCodec.encode(ClusterEvent.upsert(key, "uid-" + name, "1", Instant.now(), 1, state))));
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
