package dev.signalbox.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.Op;
import dev.signalbox.schemas.event.ServiceExportState;
import dev.signalbox.testing.Await;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes source watches ServiceExports (KEP-1645) when the API server serves them, and works as before
 * when the Multi-Cluster Services CRD is not installed (issue 14). One mock API server in CRUD mode: first
 * without the CRD, then with it.
 */
@EnableKubernetesMockClient(crud = true)
class ServiceExportsIT {
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
        return KubernetesWatcherIT.config(kafka.bootstrapServers(), clusterId, namespace, identity);
    }

    static List<ClusterEvent> awaitEvents(String clusterId, ObjectKey key, int count) {
        return Await.value(count + " events for " + key, WAIT,
                () -> EventsTopic.of(EventsTopic.read(kafka.bootstrapServers(), clusterId), key), l -> l.size() >= count);
    }

    @Test
    void serviceExportsArePublishedWhenTheCrdIsInstalledAndTheWatcherWorksWithoutIt() {
        String ns = "shop";
        client.resource(KubernetesWatcherIT.service(ns, "api", 80)).create();

        // No CRD: the watcher still leads and publishes the other kinds.
        try (Watcher w = Watcher.startKubernetes(config("absent", ns, "w1"), client)) {
            Await.until("leadership without the CRD", WAIT, w::isLeader);
            awaitEvents("absent", new ObjectKey("absent", Kind.SERVICE, ns, "api"), 1);
        }

        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("serviceexports.multicluster.x-k8s.io").endMetadata()
                .withNewSpec().withGroup("multicluster.x-k8s.io").withScope("Namespaced")
                .withNewNames().withKind("ServiceExport").withPlural("serviceexports").withSingular("serviceexport").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true).endVersion()
                .endSpec().build()).create();
        client.genericKubernetesResources("multicluster.x-k8s.io/v1alpha1", "ServiceExport").inNamespace(ns)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion("multicluster.x-k8s.io/v1alpha1")
                        .withKind("ServiceExport").withNewMetadata().withName("api").withNamespace(ns).endMetadata().build())
                .create();

        try (Watcher w = Watcher.startKubernetes(config("installed", ns, "w2"), client)) {
            Await.until("leadership with the CRD", WAIT, w::isLeader);
            ObjectKey export = new ObjectKey("installed", Kind.SERVICE_EXPORT, ns, "api");
            ClusterEvent listed = awaitEvents("installed", export, 1).get(0);
            assertEquals(Op.UPSERT, listed.op());
            assertTrue(listed.state() instanceof ServiceExportState, listed.toString());

            client.genericKubernetesResources("multicluster.x-k8s.io/v1alpha1", "ServiceExport").inNamespace(ns)
                    .withName("api").delete();
            List<ClusterEvent> both = awaitEvents("installed", export, 2);
            assertEquals(Op.DELETE, both.get(1).op());
        }
    }
}
