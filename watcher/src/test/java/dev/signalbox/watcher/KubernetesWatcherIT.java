package dev.signalbox.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.event.ConfigMapState;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.Op;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.testing.Await;
import dev.signalbox.watcher.kafka.TransactionalPublisher;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesWatcherIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static KubernetesClient client;
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

    static WatcherConfig config(String clusterId, String namespace, String identity) {
        return config(kafka.bootstrapServers(), clusterId, namespace, identity);
    }

    /**
     * A Kubernetes-source watcher of one namespace with a Lease per cluster and the short election timings the
     * mock API server tests use (2 s lease, 1.5 s renew deadline, 250 ms retry).
     */
    static WatcherConfig config(String bootstrap, String clusterId, String namespace, String identity) {
        return WatcherConfig.defaults(bootstrap, clusterId)
                .withLease("default", "lease-" + clusterId)
                .withIdentity(identity)
                .withNamespaces(List.of(namespace))
                .withTimings(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250))
                .withKeys(KEYS);
    }

    static final KeyRing KEYS = KeyRing.of(java.util.Map.of("k1", new byte[32]), null);

    static Service service(String ns, String name, int port) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(port).withTargetPort(new IntOrString(8080)).endPort().endSpec().build();
    }

    static Ingress ingress(String ns, String name, String backend) {
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withIngressClassName("signalbox").addNewRule().withHost(name + ".example").withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName(backend)
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
    }

    static List<ClusterEvent> awaitEvents(String clusterId, ObjectKey key, int count) {
        return Await.value(count + " events for " + key, WAIT,
                () -> EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), clusterId), key), l -> l.size() >= count);
    }

    @Test
    void objectsCreatedThroughTheApiArePublishedAndIgnoredEditsAreNot() {
        String c = "api", ns = "ns-api";
        try (Watcher w = Watcher.startKubernetes(config(c, ns, "w1"), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            client.resource(ingress(ns, "web", "api")).create();
            client.resource(service(ns, "api", 80)).create();
            client.resource(new EndpointSliceBuilder().withNewMetadata().withName("api-1").withNamespace(ns)
                    .addToLabels("kubernetes.io/service-name", "api").endMetadata().withAddressType("IPv4")
                    .addNewPort().withName("http").withPort(8080).endPort()
                    .addNewEndpoint().withAddresses("10.0.0.7").withNewConditions().withReady(true).endConditions().endEndpoint().build()).create();
            client.resource(new SecretBuilder().withNewMetadata().withName("tls").withNamespace(ns).endMetadata()
                    .withType("kubernetes.io/tls")
                    .addToData("tls.crt", Base64.getEncoder().encodeToString("CERT".getBytes(StandardCharsets.UTF_8)))
                    .addToData("tls.key", Base64.getEncoder().encodeToString("KEY".getBytes(StandardCharsets.UTF_8))).build()).create();

            ObjectKey web = new ObjectKey(c, Kind.INGRESS, ns, "web");
            ClusterEvent ing = awaitEvents(c, web, 1).get(0);
            assertEquals(Op.UPSERT, ing.op());
            IngressState is = (IngressState) ing.state();
            assertEquals("api", is.rules().get(0).paths().get(0).backend().service().name());
            assertEquals(new ServiceState("ClusterIP", null, List.of(new ServiceState.Port("http", 80, "8080", "TCP"))),
                    awaitEvents(c, new ObjectKey(c, Kind.SERVICE, ns, "api"), 1).get(0).state());
            assertEquals(new EndpointSliceState("api", "IPv4", List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                    List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.7"), true, null, null))),
                    awaitEvents(c, new ObjectKey(c, Kind.ENDPOINT_SLICE, ns, "api-1"), 1).get(0).state());
            assertEquals(new TlsSecretState("CERT", KEYS.seal("KEY".getBytes(StandardCharsets.UTF_8), c + "/" + ns + "/tls"), null, null),
                    awaitEvents(c, new ObjectKey(c, Kind.SECRET, ns, "tls"), 1).get(0).state());

            // Only kubectl's last-applied annotation changes: not an event. A later Ingress is the marker that
            // the informer delivered the edit (one informer delivers in order).
            Ingress current = client.network().v1().ingresses().inNamespace(ns).withName("web").get();
            current.getMetadata().setAnnotations(java.util.Map.of("kubectl.kubernetes.io/last-applied-configuration", "{}"));
            String rvBefore = current.getMetadata().getResourceVersion();
            Ingress updated = client.resource(current).update();
            assertTrue(!rvBefore.equals(updated.getMetadata().getResourceVersion()), "the API bumped the resourceVersion");
            client.resource(ingress(ns, "marker", "api")).create();
            awaitEvents(c, new ObjectKey(c, Kind.INGRESS, ns, "marker"), 1);
            assertEquals(1, EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), web).size());

            client.network().v1().ingresses().inNamespace(ns).withName("web").delete();
            ClusterEvent del = awaitEvents(c, web, 2).get(1);
            assertEquals(Op.DELETE, del.op());
        }
    }

    @Test
    void anOpaqueSecretIsPublishedSealedOnlyWhileAnIngressNamesItForBasicAuth() {
        String c = "auth", ns = "ns-auth";
        try (Watcher w = Watcher.startKubernetes(config(c, ns, "w1"), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            client.resource(new SecretBuilder().withNewMetadata().withName("users").withNamespace(ns).endMetadata()
                    .withType("Opaque").addToData("auth", Base64.getEncoder().encodeToString(
                            "foo:{SHA}YvW7bS1K+9k=".getBytes(StandardCharsets.UTF_8))).build()).create();
            client.resource(new SecretBuilder().withNewMetadata().withName("db").withNamespace(ns).endMetadata()
                    .withType("Opaque").addToData("password", "aHVudGVyMg==").build()).create();
            ObjectKey users = new ObjectKey(c, Kind.SECRET, ns, "users");
            // Nothing names the Secret yet: a later Ingress is the marker that the informers delivered it.
            client.resource(ingress(ns, "marker", "api")).create();
            awaitEvents(c, new ObjectKey(c, Kind.INGRESS, ns, "marker"), 1);
            assertEquals(List.of(), EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), users));

            Ingress protectedIngress = ingress(ns, "web", "api");
            protectedIngress.getMetadata().setAnnotations(java.util.Map.of("nginx.ingress.kubernetes.io/auth-type", "basic",
                    "nginx.ingress.kubernetes.io/auth-secret", "users"));
            client.resource(protectedIngress).create();
            assertEquals(new dev.signalbox.schemas.event.AuthSecretState(KEYS.seal(
                            "{\"auth\":\"foo:{SHA}YvW7bS1K+9k=\"}".getBytes(StandardCharsets.UTF_8), c + "/" + ns + "/users"), null),
                    awaitEvents(c, users, 1).get(0).state());

            client.network().v1().ingresses().inNamespace(ns).withName("web").delete();
            assertEquals(Op.DELETE, awaitEvents(c, users, 2).get(1).op(), "no Ingress names it any more: withdrawn");
            assertEquals(List.of(), EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c),
                    new ObjectKey(c, Kind.SECRET, ns, "db")), "a Secret no Ingress names never enters Kafka");
        }
    }

    @Test
    void aConfigMapIsPublishedOnlyWhileAnIngressNamesItForHeaderFieldsAndItsEditsFollow() {
        String c = "headers", ns = "ns-headers";
        try (Watcher w = Watcher.startKubernetes(config(c, ns, "w1"), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            client.resource(new ConfigMapBuilder().withNewMetadata().withName("down").withNamespace(ns).endMetadata()
                    .addToData("X-Frame-Options", "DENY").build()).create();
            client.resource(new ConfigMapBuilder().withNewMetadata().withName("up").withNamespace(ns).endMetadata()
                    .addToData("X-Tenant", "blue").build()).create();
            client.resource(new ConfigMapBuilder().withNewMetadata().withName("app-settings").withNamespace(ns).endMetadata()
                    .addToData("DATABASE_URL", "postgres://db").build()).create();
            ObjectKey down = new ObjectKey(c, Kind.CONFIG_MAP, ns, "down");
            ObjectKey up = new ObjectKey(c, Kind.CONFIG_MAP, ns, "up");
            // Nothing names them yet: a later Ingress is the marker that the informers delivered them.
            client.resource(ingress(ns, "marker", "api")).create();
            awaitEvents(c, new ObjectKey(c, Kind.INGRESS, ns, "marker"), 1);
            assertEquals(List.of(), EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), down));

            Ingress named = ingress(ns, "web", "api");
            named.getMetadata().setAnnotations(java.util.Map.of("nginx.ingress.kubernetes.io/custom-headers", ns + "/down",
                    "signalbox.dev/proxy-set-headers", ns + "/up"));
            client.resource(named).create();
            assertEquals(new ConfigMapState(java.util.Map.of("X-Frame-Options", "DENY"), null),
                    awaitEvents(c, down, 1).get(0).state());
            assertEquals(new ConfigMapState(java.util.Map.of("X-Tenant", "blue"), null), awaitEvents(c, up, 1).get(0).state());

            client.configMaps().inNamespace(ns).withName("down").edit(m -> {
                m.setData(java.util.Map.of("X-Frame-Options", "SAMEORIGIN"));
                return m;
            });
            assertEquals(new ConfigMapState(java.util.Map.of("X-Frame-Options", "SAMEORIGIN"), null),
                    awaitEvents(c, down, 2).get(1).state(), "an edit of a named ConfigMap is published");

            client.network().v1().ingresses().inNamespace(ns).withName("web").delete();
            assertEquals(Op.DELETE, awaitEvents(c, down, 3).get(2).op(), "no Ingress names it any more: withdrawn");
            assertEquals(Op.DELETE, awaitEvents(c, up, 2).get(1).op());
            assertEquals(List.of(), EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c),
                    new ObjectKey(c, Kind.CONFIG_MAP, ns, "app-settings")), "a ConfigMap no Ingress names never enters Kafka");
        }
    }

    /** A series of {@code w}'s /metrics, as Prometheus parses it (NaN when absent). */
    static double metric(Watcher w, String name, String... labels) {
        return dev.signalbox.testing.PrometheusText.parse(dev.signalbox.observability.Exposition.text(w.metrics().registry()))
                .value(name, labels);
    }

    /**
     * kube-apiserver ends a watch that fell behind (its resourceVersion compacted away) with a 410 Gone ERROR event, and
     * the informer lists again; the mock never does, so {@link ExpiringWatches} mutes the Ingress watch and sends one.
     */
    @Test
    void aWatchThatExpiresWith410GoneIsRelistedCountedAndLosesNothing() {
        String c = "relist", ns = "ns-relist";
        try (ExpiringWatches api = ExpiringWatches.ingressesOf(ns);
             KubernetesClient expiring = api.client();
             Watcher w = Watcher.startKubernetes(config(c, ns, "w1"), expiring)) {
            Await.until("leadership", WAIT, w::isLeader);
            expiring.resource(ingress(ns, "web", "api")).create();
            expiring.resource(ingress(ns, "gone", "api")).create();
            expiring.resource(ingress(ns, "kept", "api")).create();
            ObjectKey web = new ObjectKey(c, Kind.INGRESS, ns, "web");
            ObjectKey gone = new ObjectKey(c, Kind.INGRESS, ns, "gone");
            ObjectKey kept = new ObjectKey(c, Kind.INGRESS, ns, "kept");
            awaitEvents(c, web, 1);
            awaitEvents(c, gone, 1);
            awaitEvents(c, kept, 1);
            Await.until("the Ingress informer watching", WAIT, () -> api.openWatches() == 1);
            // First lists are not relists, whether they found objects (Ingress) or none (every other kind).
            for (Kind k : Kind.values()) {
                assertEquals(0.0, metric(w, "signalbox_watcher_informer_relists_total", "kind", k.apiName()), k.apiName());
            }
            assertEquals(List.of(1, 1), List.of(api.lists(), api.watches()));

            // The watch falls behind: it misses an edit and a delete, then ends with 410 Gone. Only a relist finds them.
            assertEquals(1, api.expireAfter(() -> {
                expiring.network().v1().ingresses().inNamespace(ns).withName("web").edit(i -> {
                    i.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().setName("api-2");
                    return i;
                });
                expiring.network().v1().ingresses().inNamespace(ns).withName("gone").delete();
            }), "the 410 went into the one Ingress watch");
            Await.until("a relist counted", WAIT,
                    () -> metric(w, "signalbox_watcher_informer_relists_total", "kind", "Ingress") >= 1);
            Await.until("a new Ingress watch open", WAIT, () -> api.openWatches() == 1 && api.watches() == 2);
            assertEquals(List.of(2, 2), List.of(api.lists(), api.watches()), "fabric8 listed and watched again, once");
            for (Kind k : Kind.values()) {
                assertEquals(k == Kind.INGRESS ? api.lists() - 1.0 : 0.0,
                        metric(w, "signalbox_watcher_informer_relists_total", "kind", k.apiName()), k.apiName());
            }

            // Changed after the relist: the new watch delivers it. It is the marker too, the last change of the informer.
            expiring.resource(ingress(ns, "after", "api")).create();
            awaitEvents(c, new ObjectKey(c, Kind.INGRESS, ns, "after"), 1);
            List<ClusterEvent> webEvents = awaitEvents(c, web, 2);
            assertEquals("api-2", ((IngressState) webEvents.get(1).state()).rules().get(0).paths().get(0).backend().service().name());
            assertEquals(List.of(Op.UPSERT, Op.DELETE), awaitEvents(c, gone, 2).stream().map(ClusterEvent::op).toList());
            List<ClusterEvent> all = EventsTopic.read(kafka.bootstrapServers(), c);
            assertEquals(List.of(2, 2, 1, 1), List.of(EventsTopic.of(all, web).size(), EventsTopic.of(all, gone).size(),
                    EventsTopic.of(all, kept).size(), EventsTopic.of(all, new ObjectKey(c, Kind.INGRESS, ns, "after")).size()),
                    "web, gone, kept, after: each change once, the relisted and re-sent unchanged objects not again");
            assertEquals("leading true", w.health().status() + " " + w.health().ready());
            assertEquals(1.0, metric(w, "signalbox_watcher_source_synced"));
        }
    }

    @Test
    void onlyTheLeaderPublishesAndTheOtherTakesOverWhenItStops() {
        String c = "pair", ns = "ns-pair";
        Watcher a = Watcher.startKubernetes(config(c, ns, "a"), client);
        Watcher b = Watcher.startKubernetes(config(c, ns, "b"), client);
        try {
            Await.until("one leader", WAIT, () -> a.isLeader() || b.isLeader());
            Watcher leader = a.isLeader() ? a : b;
            Watcher other = leader == a ? b : a;
            client.resource(service(ns, "one", 80)).create();
            ObjectKey one = new ObjectKey(c, Kind.SERVICE, ns, "one");
            long firstEpoch = awaitEvents(c, one, 1).get(0).leaderEpoch();
            assertTrue(!other.isLeader(), "exactly one leader");
            assertEquals(0, other.publishedEvents());
            // /readyz: the leader publishes, the standby is ready to take over; /metrics says which is which.
            Await.until("the standby's informers synced", WAIT, () -> other.health().ready());
            assertEquals("leading true standby true", leader.health().status() + " " + leader.health().ready() + " "
                    + other.health().status() + " " + other.health().ready());
            assertEquals(List.of(1.0, (double) firstEpoch, 1.0, 0.0, 0.0), List.of(metric(leader, "signalbox_watcher_leader"),
                    metric(leader, "signalbox_watcher_epoch"), metric(leader, "signalbox_watcher_takeovers_total"),
                    metric(other, "signalbox_watcher_leader"), metric(other, "signalbox_watcher_takeovers_total")));
            assertEquals(1.0, metric(other, "signalbox_watcher_source_synced"));
            assertTrue(metric(leader, "signalbox_watcher_events_published_total", "kind", "Service", "op", "upsert") >= 1);
            assertEquals(0.0, metric(other, "signalbox_watcher_events_published_total", "kind", "Service", "op", "upsert"));

            long stopped = System.nanoTime();
            leader.close();
            Await.until("takeover", Duration.ofSeconds(10), other::isLeader);
            long takeoverMs = (System.nanoTime() - stopped) / 1_000_000;
            System.out.println("MEASURED takeover after closing the leader: " + takeoverMs + " ms");

            client.resource(service(ns, "two", 80)).create();
            ClusterEvent two = awaitEvents(c, new ObjectKey(c, Kind.SERVICE, ns, "two"), 1).get(0);
            assertTrue(two.leaderEpoch() > firstEpoch, "the new leader has a newer epoch");
            assertEquals("leading true", other.health().status() + " " + other.health().ready());
            assertEquals(List.of(1.0, (double) two.leaderEpoch(), 1.0), List.of(metric(other, "signalbox_watcher_leader"),
                    metric(other, "signalbox_watcher_epoch"), metric(other, "signalbox_watcher_takeovers_total")));
            assertEquals(1, EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), one).size(),
                    "the new leader does not republish what the log has");
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aDeposedLeadersProducerIsFencedByTheNewLeader() {
        String c = "fence", ns = "ns-fence";
        TransactionalPublisher old = TransactionalPublisher.open(kafka.bootstrapServers(), c, new AtomicLong());
        ObjectKey before = new ObjectKey(c, Kind.SERVICE, ns, "before");
        ObjectKey after = new ObjectKey(c, Kind.SERVICE, ns, "after");
        ServiceState state = new ServiceState("ClusterIP", null, List.of());
        try (old) {
            old.publishNow(List.of(ClusterEvent.upsert(before, "u1", "1", Instant.now(), 0, state)));
            try (Watcher w = Watcher.startKubernetes(config(c, ns, "new"), client)) {
                Await.until("leadership", WAIT, w::isLeader);
                assertThrows(TransactionalPublisher.FencedException.class,
                        () -> old.publishNow(List.of(ClusterEvent.upsert(after, "u2", "1", Instant.now(), 0, state))));
                // The new leader's reconcile deletes what the old leader published but the cluster lacks.
                List<ClusterEvent> beforeEvents = awaitEvents(c, before, 2);
                assertEquals(List.of(Op.UPSERT, Op.DELETE), beforeEvents.stream().map(ClusterEvent::op).toList());
                assertEquals(List.of(), EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), after),
                        "nothing the fenced producer sent is visible to read_committed readers");
            }
        }
    }

    @Test
    void aNewLeaderPublishesDeletesThatHappenedWhileNoLeaderRanAndNothingElse() {
        String c = "gap", ns = "ns-gap";
        ObjectKey keep = new ObjectKey(c, Kind.SERVICE, ns, "keep");
        ObjectKey gone = new ObjectKey(c, Kind.SERVICE, ns, "gone");
        try (Watcher w = Watcher.startKubernetes(config(c, ns, "first"), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            client.resource(service(ns, "keep", 80)).create();
            client.resource(service(ns, "gone", 81)).create();
            awaitEvents(c, keep, 1);
            awaitEvents(c, gone, 1);
        }
        client.services().inNamespace(ns).withName("gone").delete();
        try (Watcher w = Watcher.startKubernetes(config(c, ns, "second"), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            ClusterEvent del = awaitEvents(c, gone, 2).get(1);
            assertEquals(Op.DELETE, del.op());
            assertNotNull(del.uid());
            assertEquals(1, EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), keep).size());
            assertEquals(1, w.publishedEvents());
            // The takeover found one difference (the delete) and published it: that is what its metrics say.
            assertEquals(List.of(1.0, 1.0, 0.0), List.of(metric(w, "signalbox_watcher_takeover_reconcile_differences_total"),
                    metric(w, "signalbox_watcher_events_published_total", "kind", "Service", "op", "delete"),
                    metric(w, "signalbox_watcher_events_published_total", "kind", "Service", "op", "upsert")));
            assertTrue(metric(w, "signalbox_watcher_publish_duration_seconds_count") >= 1);
        }
    }

    @Test
    void aLeaderWhoseProducerIsFencedStopsPublishingAndRejoinsTheElection() {
        String c = "usurped", ns = "ns-usurped";
        try (Watcher w = Watcher.startKubernetes(config(c, ns, "victim"), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            TransactionalPublisher original = w.publisherForTest();
            // Something else initialises the cluster's transactional id, as a leader this one did not see would.
            try (TransactionalPublisher usurper = TransactionalPublisher.open(kafka.bootstrapServers(), c, new AtomicLong())) {
                client.resource(service(ns, "after-fence", 80)).create();
                ObjectKey key = new ObjectKey(c, Kind.SERVICE, ns, "after-fence");
                // The fenced producer's transaction never becomes visible; the watcher rejoins the election,
                // leads again with a fresh producer and its reconcile publishes the object.
                ClusterEvent e = awaitEvents(c, key, 1).get(0);
                assertEquals(Op.UPSERT, e.op());
                assertTrue(original.isFenced(), "the first producer was fenced");
                assertTrue(w.publisherForTest() != original, "a new producer publishes");
                assertEquals(1, EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), c), key).size());
            }
        }
    }
}
