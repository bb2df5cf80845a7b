package dev.signalbox.e2e.multicluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.e2e.MockApps;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 with the Kubernetes source: two clusters, each behind its own API server (two fabric8 CRUD mocks), each
 * with its own watcher leader (cluster id, Lease, transactional id), into one broker, one compiler and two proxies,
 * one located in each cluster. The Service {@code apps/web} is exported (a KEP-1645 ServiceExport, its CRD installed)
 * in both: web.test is one route over both clusters' endpoints, each proxy sends to its own cluster's, and when the
 * east endpoint goes unready the east proxy fails over to the west cluster with no failed request, and back.
 */
class KubernetesClustersIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "apps";

    @Test
    void twoApiServersOneMergedServiceEachProxyPrefersItsOwnClusterAndFailsOverWithoutAFailedRequest() throws Exception {
        KubernetesMockServer eastApi = crudServer();
        KubernetesMockServer westApi = crudServer();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend eastWeb = EchoBackend.start("east-web");
             EchoBackend westWeb = EchoBackend.start("west-web");
             KubernetesClient east = eastApi.createClient();
             KubernetesClient west = westApi.createClient()) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            for (var c : Map.of(east, eastWeb, west, westWeb).entrySet()) {
                c.getKey().resource(new IngressClassBuilder().withNewMetadata().withName("signalbox").endMetadata()
                        .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build())
                        .createOr(NonDeletingOperation::update);
                MockApps.serviceExportCrd(c.getKey());
                MockApps.app(c.getKey(), NS, "web", "web.test", c.getValue().port());
                MockApps.serviceExport(c.getKey(), NS, "web");
            }
            try (Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
                 ProxyNode inEast = Clusters.proxyIn(bootstrap, "east");
                 ProxyNode inWest = Clusters.proxyIn(bootstrap, "west");
                 Watcher eastWatcher = Watcher.startKubernetes(watcher(bootstrap, "east"), east);
                 Watcher westWatcher = Watcher.startKubernetes(watcher(bootstrap, "west"), west)) {
                RoutingSnapshot merged = awaitSnapshot(bootstrap,
                        s -> !s.table().backends().isEmpty() && s.table().backends().stream().allMatch(b -> b.endpoints().size() == 2));
                assertEquals(1, merged.table().virtualHosts().size(), "web.test defined identically in both is one host");
                Await.until("the east proxy served by the east cluster", WAIT, () -> "east-web".equals(Clusters.backendOf(inEast)));
                Await.until("the west proxy served by the west cluster", WAIT, () -> "west-web".equals(Clusters.backendOf(inWest)));
                for (int i = 0; i < 20; i++) {
                    assertEquals("east-web", Clusters.backendOf(inEast));
                    assertEquals("west-web", Clusters.backendOf(inWest));
                }

                Map<String, Long> answers = new ConcurrentHashMap<>();
                AtomicBoolean loading = new AtomicBoolean(true);
                Thread load = new Thread(() -> {
                    while (loading.get()) {
                        answers.merge(Clusters.backendOf(inEast), 1L, Long::sum);
                    }
                }, "east-client");
                load.start();
                try {
                    long t0 = System.nanoTime();
                    setReady(east, false);
                    Await.until("the east proxy on the west cluster", WAIT, () -> answers.getOrDefault("west-web", 0L) > 0);
                    long failoverMs = (System.nanoTime() - t0) / 1_000_000;
                    long eastBefore = answers.getOrDefault("east-web", 0L);
                    t0 = System.nanoTime();
                    setReady(east, true);
                    Await.until("the east proxy back on the east cluster", WAIT,
                            () -> answers.getOrDefault("east-web", 0L) > eastBefore);
                    long backMs = (System.nanoTime() - t0) / 1_000_000;
                    loading.set(false);
                    load.join();
                    assertEquals(java.util.Set.of("east-web", "west-web"), answers.keySet(), "every answer 200: " + answers);
                    System.out.printf("FIGURES multicluster kubernetes: two API servers; east endpoint unready -> east proxy"
                            + " on the west cluster after %d ms, ready -> back after %d ms; %s, 0 failed%n",
                            failoverMs, backMs, answers);
                } finally {
                    loading.set(false);
                    load.join();
                }
                assertTrue(eastWatcher.isLeader() && westWatcher.isLeader(), "each cluster has its own leader");
            }
        } finally {
            eastApi.destroy();
            westApi.destroy();
        }
    }

    private static KubernetesMockServer crudServer() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
                new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        return server;
    }

    private static WatcherConfig watcher(String bootstrap, String cluster) {
        return WatcherConfig.defaults(bootstrap, cluster).withLease("default", "signalbox-" + cluster)
                .withIdentity("watcher-" + cluster).withNamespaces(java.util.List.of(NS))
                .withTimings(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250));
    }

    /** The EndpointSlice of apps/web with its one endpoint's ready condition set. */
    private static void setReady(KubernetesClient client, boolean ready) {
        client.resources(EndpointSlice.class).inNamespace(NS).withName("web-x").edit(s -> new EndpointSliceBuilder(s)
                .editFirstEndpoint().editConditions().withReady(ready).endConditions().endEndpoint().build());
    }

    private static RoutingSnapshot awaitSnapshot(String bootstrap, java.util.function.Predicate<RoutingSnapshot> condition) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "k8s-clusters-it")) {
            return Await.value("a snapshot", WAIT, () -> log.latest(Duration.ofSeconds(5)).orElse(null),
                    s -> s != null && condition.test(s));
        }
    }
}
