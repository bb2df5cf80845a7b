package dev.signalbox.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.Op;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsWatcherIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    static String service(String name, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                spec:
                  ports:
                  - name: http
                    port: %d
                ---
                """.formatted(name, port);
    }

    static final String INGRESS = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: web
              namespace: shop
            spec:
              rules:
              - host: shop.example
                http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: api
                        port:
                          number: 80
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
            """;

    static List<ClusterEvent> awaitEvents(String c, ObjectKey key, int count) {
        return Await.value(count + " events for " + key, WAIT,
                () -> EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), key), l -> l.size() >= count);
    }

    static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void filesArePublishedEditedRemovedAndABrokenFileDoesNotStopTheOthers(@TempDir Path dir) throws Exception {
        String c = "files";
        ObjectKey api = new ObjectKey(c, Kind.SERVICE, "default", "api");
        ObjectKey web = new ObjectKey(c, Kind.INGRESS, "shop", "web");
        ObjectKey other = new ObjectKey(c, Kind.SERVICE, "default", "other");
        Path a = dir.resolve("a.yaml");
        Path b = dir.resolve("nested/b.yml");
        Files.createDirectories(b.getParent());
        write(a, service("api", 80) + INGRESS);
        WatcherConfig config = WatcherConfig.defaults(kafka.bootstrapServers(), c).withManifestsDir(dir);
        try (Watcher w = Watcher.startManifests(config)) {
            Await.until("leading", WAIT, w::isLeader);
            assertEquals(80, ((ServiceState) awaitEvents(c, api, 1).get(0).state()).ports().get(0).port());
            awaitEvents(c, web, 1);

            // An edit publishes the new state; the latency is measured from the write to the commit.
            List<Long> latenciesMicros = new ArrayList<>();
            for (int port = 81; port <= 90; port++) {
                long before = w.publishedEvents();
                long t0 = System.nanoTime();
                write(a, service("api", port) + INGRESS);
                while (w.publishedEvents() == before) {
                    Thread.onSpinWait();
                    assertTrue(System.nanoTime() - t0 < WAIT.toNanos(), "edit published");
                }
                latenciesMicros.add((System.nanoTime() - t0) / 1000);
            }
            Collections.sort(latenciesMicros);
            System.out.println("MEASURED file write to committed event, 10 edits, micros: median "
                    + latenciesMicros.get(5) + " max " + latenciesMicros.get(9));
            assertEquals(90, ((ServiceState) awaitEvents(c, api, 11).get(10).state()).ports().get(0).port());

            // The Service moves to b.yml (added there first): it is not deleted.
            write(b, service("api", 90) + service("other", 70));
            awaitEvents(c, other, 1);
            write(a, INGRESS);
            // A broken file is reported and the rest keeps working.
            write(dir.resolve("broken.yaml"), "kind: Service\nmetadata: [\n");
            write(b, service("api", 90) + service("other", 71));
            assertEquals(71, ((ServiceState) awaitEvents(c, other, 2).get(1).state()).ports().get(0).port());
            assertEquals(11, EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), api).size(),
                    "the moved Service was neither deleted nor republished");

            // Removing a file deletes its objects.
            Files.delete(a);
            assertEquals(Op.DELETE, awaitEvents(c, web, 2).get(1).op());
        }

        // While no watcher runs, b.yml goes away; a restart deletes its objects and republishes nothing else.
        Files.delete(b);
        write(dir.resolve("c.yaml"), INGRESS);
        try (Watcher w = Watcher.startManifests(config)) {
            Await.until("leading", WAIT, w::isLeader);
            assertEquals(Op.DELETE, awaitEvents(c, api, 12).get(11).op());
            assertEquals(Op.DELETE, awaitEvents(c, other, 3).get(2).op());
            assertEquals(Op.UPSERT, awaitEvents(c, web, 3).get(2).op());
            assertEquals(3, w.publishedEvents());
        }
        try (Watcher w = Watcher.startManifests(config)) {
            Await.until("leading", WAIT, w::isLeader);
            assertEquals(0, w.publishedEvents(), "a restart with unchanged files publishes nothing");
        }
    }
}
