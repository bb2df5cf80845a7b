package dev.signalbox.watcher.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Diagnostic.Severity;
import dev.signalbox.testing.Await;
import dev.signalbox.watcher.status.DiagnosticReports;
import dev.signalbox.watcher.status.IngressRef;
import dev.signalbox.watcher.status.LbAddress;
import dev.signalbox.schemas.event.Kind;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Kubernetes writes of status reporting against the mock API server, without Kafka. */
@EnableKubernetesMockClient(crud = true)
class KubeStatusIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    static KubernetesClient client;

    static InformerCaches caches(String ns) {
        InformerCaches c = new InformerCaches(client, "c1", List.of(ns), dev.signalbox.schemas.crypto.KeyRing.empty(), k -> { });
        c.start();
        return c;
    }

    @Test
    void aReappearingDiagnosticCountsOnTheSameEventAndATermStartDoesNot() {
        String ns = "events";
        client.resource(new IngressClassBuilder().withNewMetadata().withName("signalbox").endMetadata()
                .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build()).create();
        InformerCaches caches = caches(ns);
        try {
            Await.until("the cache has the class", WAIT,
                    () -> caches.object(Kind.INGRESS_CLASS, "", "signalbox").isPresent());
            KubeStatus kube = new KubeStatus(client, caches, CLOCK, "default", "signalbox-watcher-c1");
            Diagnostic d = new Diagnostic("c1", "IngressClass", "", "signalbox", Severity.WARNING, "more than one default class");
            kube.report(new DiagnosticReports.Report(d, false));
            kube.report(new DiagnosticReports.Report(d, true));
            List<Event> events = client.v1().events().inNamespace("default").list().getItems();
            assertEquals(1, events.size());
            Event e = events.get(0);
            assertEquals(1, e.getCount(), "a term start leaves an existing Event alone");
            assertEquals("IngressClass", e.getInvolvedObject().getKind());
            assertEquals(null, e.getInvolvedObject().getNamespace());
            assertEquals("SignalboxWarning", e.getReason());
            assertEquals("2026-01-02T03:04:05Z", e.getFirstTimestamp());

            kube.report(new DiagnosticReports.Report(d, false));
            assertEquals(2, client.v1().events().inNamespace("default").list().getItems().get(0).getCount(),
                    "a reappearance counts on the same Event");
        } finally {
            caches.close();
        }
    }

    @Test
    void aClusterThatNeverSyncedIsReportedOnItsWatchersLeaseNotOnAnObjectOfTheSameName() {
        String ns = "never-synced";
        // An Ingress and a Service whose names equal the cluster id: the Event must not land on them.
        client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("c1").withNamespace(ns)
                .endMetadata().build()).create();
        client.resource(new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder().withNewMetadata().withName("c1")
                .withNamespace(ns).endMetadata().build()).create();
        client.resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder().withNewMetadata()
                .withName("signalbox-watcher-c1").withNamespace("leases").endMetadata().build()).create();
        InformerCaches caches = caches(ns);
        try {
            Await.until("the cache has the Ingress", WAIT, () -> caches.object(Kind.INGRESS, ns, "c1").isPresent());
            KubeStatus kube = new KubeStatus(client, caches, CLOCK, "leases", "signalbox-watcher-c1");
            Diagnostic d = new Diagnostic("c1", Diagnostic.CLUSTER_KIND, "", "c1", Severity.WARNING,
                    "the watcher of cluster c1 has not recorded the end of its initial list");
            assertTrue(kube.report(new DiagnosticReports.Report(d, false)), "an Event was recorded");
            List<Event> events = client.v1().events().inAnyNamespace().list().getItems().stream()
                    .filter(e -> e.getMessage().contains("initial list")).toList();
            assertEquals(1, events.size(), "one Event: " + events);
            Event e = events.get(0);
            assertEquals("leases", e.getMetadata().getNamespace());
            assertEquals(List.of("coordination.k8s.io/v1", "Lease", "leases", "signalbox-watcher-c1"),
                    java.util.Arrays.asList(e.getInvolvedObject().getApiVersion(), e.getInvolvedObject().getKind(),
                            e.getInvolvedObject().getNamespace(), e.getInvolvedObject().getName()));
            assertEquals(client.leases().inNamespace("leases").withName("signalbox-watcher-c1").get().getMetadata().getUid(),
                    e.getInvolvedObject().getUid());
            assertEquals("SignalboxWarning", e.getReason());
        } finally {
            caches.close();
        }
    }
}
