package dev.signalbox.e2e.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.testing.Await;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import dev.signalbox.watcher.status.LbAddress;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole loop on a real broker and the real compiler: watcher -> events -> compiler -> snapshots ->
 * the watcher's status reporter -> the mock API server.
 */
@EnableKubernetesMockClient(crud = true)
class StatusReportingIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String CLUSTER = "st";
    static KubernetesClient client;
    static EmbeddedKafka kafka;
    static Compiler compiler;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
        compiler = Compiler.start(CompilerConfig.defaults(kafka.bootstrapServers()));
        client.resource(new IngressClassBuilder().withNewMetadata().withName("signalbox").endMetadata()
                .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build()).create();
        client.resource(new IngressClassBuilder().withNewMetadata().withName("other").endMetadata()
                .withNewSpec().withController("example.com/other").endSpec().build()).create();
    }

    @AfterAll
    static void stop() {
        compiler.close();
        kafka.close();
    }

    static WatcherConfig config(String ns, WatcherConfig.Status status) {
        return WatcherConfig.defaults(kafka.bootstrapServers(), CLUSTER)
                .withLease("default", "lease-" + ns)
                .withIdentity("w-" + ns)
                .withNamespaces(List.of(ns))
                .withTimings(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250))
                .withStatus(status);
    }

    static Ingress ingress(String ns, String name, String className, String backend) {
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withIngressClassName(className).addNewRule().withHost(name + ".example").withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName(backend)
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
    }

    static List<String> status(String ns, String name) {
        Ingress i = client.network().v1().ingresses().inNamespace(ns).withName(name).get();
        if (i.getStatus() == null || i.getStatus().getLoadBalancer() == null || i.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return i.getStatus().getLoadBalancer().getIngress().stream()
                .map(a -> a.getIp() != null ? "ip:" + a.getIp() : "hostname:" + a.getHostname()).toList();
    }

    static List<String> awaitStatus(String ns, String name, List<String> expected) {
        return Await.value("status of " + ns + "/" + name + " = " + expected, WAIT, () -> status(ns, name), expected::equals);
    }

    static List<Event> events(String ns, String involved) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> involved.equals(e.getInvolvedObject().getName())).toList();
    }

    @Test
    void ingressesOfOurClassGetTheConfiguredAddressAndLoseItWhenTheyLeaveTheClass() {
        String ns = "ns-status";
        List<String> ours = List.of("ip:203.0.113.10", "hostname:lb.example.com");
        WatcherConfig.Status st = WatcherConfig.Status.ofAddresses(List.of(LbAddress.parse("lb.example.com"), LbAddress.parse("203.0.113.10")));
        try (Watcher w = Watcher.startKubernetes(config(ns, st), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            client.resource(new ServiceBuilder().withNewMetadata().withName("api").withNamespace(ns).endMetadata()
                    .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                    .endSpec().build()).create();
            client.resource(ingress(ns, "web", "signalbox", "api")).create();
            client.resource(ingress(ns, "foreign", "other", "api")).create();
            awaitStatus(ns, "web", ours);

            // A later Ingress of our class marks a snapshot that also holds "foreign".
            long created = System.nanoTime();
            client.resource(ingress(ns, "marker", "signalbox", "api")).create();
            awaitStatus(ns, "marker", ours);
            System.out.println("MEASURED Ingress created to its status written (watcher, compiler, reporter): "
                    + (System.nanoTime() - created) / 1_000_000 + " ms");
            assertEquals(List.of(), status(ns, "foreign"), "an Ingress of another class gets no status");

            // Writes are counted just after the API shows them: wait for "web" and "marker" to be counted.
            long writes = Await.value("the first two writes are counted", WAIT, w::statusWrites, n -> n >= 2);
            Ingress web = client.network().v1().ingresses().inNamespace(ns).withName("web").get();
            web.getSpec().setIngressClassName("other");
            client.resource(web).update();
            awaitStatus(ns, "web", List.of());

            client.resource(ingress(ns, "marker2", "signalbox", "api")).create();
            awaitStatus(ns, "marker2", ours);
            // The count moves just after the API shows the write: wait for it, then check it is exactly two.
            long after = Await.value("the reporter counts its writes", WAIT, w::statusWrites, n -> n >= writes + 2);
            assertEquals(writes + 2, after, "one write to clear web, one to set marker2: no write storm");
            assertEquals(ours, status(ns, "marker"));
        }
    }

    @Test
    void theStatusFollowsThePublishedServicesLoadBalancer() {
        String ns = "ns-publish";
        try (Watcher w = Watcher.startKubernetes(config(ns, WatcherConfig.Status.ofService(ns + "/proxy")), client)) {
            Await.until("leadership", WAIT, w::isLeader);
            client.resource(new ServiceBuilder().withNewMetadata().withName("proxy").withNamespace(ns).endMetadata()
                    .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).endPort().endSpec()
                    .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.51.100.4").endIngress().endLoadBalancer().endStatus()
                    .build()).create();
            client.resource(ingress(ns, "web", "signalbox", "proxy")).create();
            awaitStatus(ns, "web", List.of("ip:198.51.100.4"));

            var proxy = client.services().inNamespace(ns).withName("proxy").get();
            proxy.getStatus().getLoadBalancer().getIngress().get(0).setIp("198.51.100.5");
            client.services().inNamespace(ns).resource(proxy).updateStatus();
            awaitStatus(ns, "web", List.of("ip:198.51.100.5"));
        }
    }

    @Test
    void aBrokenIngressGetsOneWarningEventUntilItIsFixedAndAnotherCountWhenItBreaksAgain() {
        String ns = "ns-events";
        List<String> ours = List.of("ip:203.0.113.20");
        try (Watcher w = Watcher.startKubernetes(config(ns, WatcherConfig.Status.ofAddresses(List.of(LbAddress.parse("203.0.113.20")))),
                client)) {
            Await.until("leadership", WAIT, w::isLeader);
            client.resource(new ServiceBuilder().withNewMetadata().withName("api").withNamespace(ns).endMetadata()
                    .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
            String uid = client.resource(ingress(ns, "broken", "signalbox", "missing")).create().getMetadata().getUid();
            Event e = Await.value("a Warning Event about broken", WAIT, () -> events(ns, "broken"), l -> !l.isEmpty()).get(0);
            assertEquals("Warning", e.getType());
            assertEquals("SignalboxRejected", e.getReason());
            assertEquals("Ingress", e.getInvolvedObject().getKind());
            assertEquals(ns, e.getInvolvedObject().getNamespace());
            assertEquals(uid, e.getInvolvedObject().getUid());
            assertEquals("signalbox-watcher", e.getSource().getComponent());
            assertEquals("service missing does not exist", e.getMessage().replace(ns + "/", ""));

            // Three more snapshots, each seen by the reporter (it sets the new Ingress's status), keep the diagnostic.
            for (int i = 1; i <= 3; i++) {
                client.resource(ingress(ns, "more-" + i, "signalbox", "api")).create();
                awaitStatus(ns, "more-" + i, ours);
            }
            assertEquals(1, events(ns, "broken").size(), "one Event, not one per snapshot");
            assertEquals(1, events(ns, "broken").get(0).getCount());

            client.resource(new ServiceBuilder().withNewMetadata().withName("missing").withNamespace(ns).endMetadata()
                    .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
            client.resource(ingress(ns, "after-fix", "signalbox", "api")).create();
            awaitStatus(ns, "after-fix", ours);
            assertEquals(1, events(ns, "broken").size(), "a fixed Ingress gets no new Event");
            assertEquals(1, events(ns, "broken").get(0).getCount());
            assertEquals(List.of(), events(ns, "after-fix"));

            // Broken again: the same Event counts a second occurrence.
            client.services().inNamespace(ns).withName("missing").delete();
            Await.until("the Event counts the reappearance", WAIT,
                    () -> events(ns, "broken").size() == 1 && Integer.valueOf(2).equals(events(ns, "broken").get(0).getCount()));
            assertEquals(ours, status(ns, "broken"), "an Ingress with a diagnostic is still ours and has a status");
        }
    }

    @Test
    void aNewLeaderTakesOverStatusWithoutRepeatingTheEventsOfTheOldOne() {
        String ns = "ns-takeover";
        WatcherConfig.Status st = WatcherConfig.Status.ofAddresses(List.of(LbAddress.parse("203.0.113.30")));
        List<String> ours = List.of("ip:203.0.113.30");
        Watcher a = Watcher.startKubernetes(config(ns, st).withIdentity("a"), client);
        Watcher b = Watcher.startKubernetes(config(ns, st).withIdentity("b"), client);
        try {
            Await.until("one leader", WAIT, () -> a.isLeader() || b.isLeader());
            Watcher leader = a.isLeader() ? a : b;
            Watcher other = leader == a ? b : a;
            client.resource(ingress(ns, "broken", "signalbox", "missing")).create();
            client.resource(ingress(ns, "web", "signalbox", "missing-too")).create();
            awaitStatus(ns, "web", ours);
            Await.until("the Events", WAIT, () -> events(ns, "broken").size() == 1 && events(ns, "web").size() == 1);
            assertEquals(0, other.statusWrites() + other.eventsReported(), "the standby writes nothing");

            leader.close();
            Await.until("takeover", WAIT, other::isLeader);
            client.resource(ingress(ns, "later", "signalbox", "missing")).create();
            awaitStatus(ns, "later", ours);
            Await.until("the new Ingress's Event", WAIT, () -> events(ns, "later").size() == 1);
            assertEquals(1, events(ns, "broken").size());
            assertEquals(1, events(ns, "broken").get(0).getCount(), "the new leader does not count the old leader's Event again");
            assertEquals(1, Await.value("the new leader counts its write", WAIT, other::statusWrites, n -> n >= 1),
                    "the new leader only writes the new Ingress");
        } finally {
            a.close();
            b.close();
        }
    }
}
