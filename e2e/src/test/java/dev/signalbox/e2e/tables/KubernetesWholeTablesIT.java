package dev.signalbox.e2e.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.e2e.MockApps;
import dev.signalbox.e2e.Pipeline;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 with the Kubernetes source (fabric8's mock API server, CRUD mode): 52 objects present before
 * the watcher starts are all in the first version, and a new leader's reconcile of what changed while no
 * leader ran (apps created and deleted) is one version.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesWholeTablesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int APPS = 17;
    static KubernetesClient client;

    @Test
    void theFirstVersionHoldsEveryObjectAndATakeoversReconcileIsOneVersion() {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(); EchoBackend pod = EchoBackend.start("pod")) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            client.resource(new IngressClassBuilder().withNewMetadata().withName("signalbox").endMetadata()
                    .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build()).create();
            for (int i = 0; i < APPS; i++) {
                MockApps.app(client, "shop", "app" + i, "app" + i + ".test", pod.port());
            }
            try (Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
                 ProxyNode proxy = Pipeline.proxy(bootstrap, "p1")) {
                Set<String> expected = hosts(0, APPS);
                try (Watcher first = watcher(bootstrap, "watcher-0")) {
                    Await.until("every app served", WAIT, () -> expected.stream().allMatch(h -> Pipeline.served(proxy, h)));
                    RoutingSnapshot v1 = WholeTablesIT.firstSnapshot(bootstrap);
                    System.out.printf("FIGURES kubernetes: %d objects before the watcher started, first version %d holds %d"
                            + " of %d hosts%n", 1 + 3 * APPS, v1.version(), v1.table().virtualHosts().size(), APPS);
                    assertEquals(expected, hostsOf(v1), "the first version holds every object present at start");
                }
                long before = latest(bootstrap).version();
                // While no watcher leads: 5 apps created, 2 deleted (their Ingress, Service and EndpointSlice).
                for (int i = APPS; i < APPS + 5; i++) {
                    MockApps.app(client, "shop", "app" + i, "app" + i + ".test", pod.port());
                }
                for (int i = 0; i < 2; i++) {
                    client.network().v1().ingresses().inNamespace("shop").withName("app" + i).delete();
                    client.services().inNamespace("shop").withName("app" + i).delete();
                    client.discovery().v1().endpointSlices().inNamespace("shop").withName("app" + i + "-x").delete();
                }
                Set<String> after = hosts(2, APPS + 5);
                try (Watcher second = watcher(bootstrap, "watcher-1")) {
                    Await.until("the new leader's reconcile served", WAIT,
                            () -> after.stream().allMatch(h -> Pipeline.served(proxy, h)) && !Pipeline.served(proxy, "app0.test"));
                    RoutingSnapshot last = latest(bootstrap);
                    System.out.printf("FIGURES kubernetes: takeover reconcile (5 apps created, 2 deleted while no leader ran)"
                            + " published in %d version(s), %d transaction(s)%n", last.version() - before, last.transactions().size());
                    assertEquals(before + 1, last.version(), "the takeover's reconcile is one version");
                    assertEquals(after, hostsOf(last));
                }
            }
        }
    }

    private static Watcher watcher(String bootstrap, String identity) {
        return Watcher.startKubernetes(WatcherConfig.defaults(bootstrap, "e2e").withLease("default", "signalbox-tables")
                .withIdentity(identity).withTimings(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250)), client);
    }

    private static Set<String> hosts(int from, int to) {
        Set<String> out = new TreeSet<>();
        for (int i = from; i < to; i++) {
            out.add("app" + i + ".test");
        }
        return out;
    }

    private static Set<String> hostsOf(RoutingSnapshot s) {
        return s.table().virtualHosts().stream().map(v -> v.host()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static RoutingSnapshot latest(String bootstrap) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "k8s-whole-tables-it")) {
            return log.latest(WAIT).orElseThrow();
        }
    }
}
