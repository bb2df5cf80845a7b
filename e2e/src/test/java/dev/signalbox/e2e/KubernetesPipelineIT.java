package dev.signalbox.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline as a cluster runs it: objects written through the Kubernetes API (fabric8's mock
 * server, CRUD mode) reach a leader-elected watcher, a real broker, the compiler and two proxy nodes,
 * and requests through either proxy reach the Service's pods.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    static KubernetesClient client;

    @Test
    void anIngressCreatedThroughTheApiIsServedByTwoProxiesOnOneVersionAndItsDeletionGives404() {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             EchoBackend pod = EchoBackend.start("web-pod-1")) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            try (Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
                 Watcher watcher = Watcher.startKubernetes(WatcherConfig.defaults(bootstrap, "e2e")
                         .withLease("default", "signalbox-e2e").withIdentity("watcher-0")
                         .withTimings(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250)), client);
                 ProxyNode p1 = Pipeline.proxy(bootstrap, "p1");
                 ProxyNode p2 = Pipeline.proxy(bootstrap, "p2")) {

                client.resource(new IngressClassBuilder().withNewMetadata().withName("signalbox").endMetadata()
                        .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build()).create();
                client.resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                        .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http"))
                        .endPort().endSpec().build()).create();
                client.resource(new EndpointSliceBuilder().withNewMetadata().withName("web-x1").withNamespace("shop")
                        .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                        .addNewPort().withName("http").withPort(pod.port()).endPort()
                        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
                        .build()).create();
                client.resource(new IngressBuilder().withNewMetadata().withName("shop").withNamespace("shop").endMetadata()
                        .withNewSpec().withIngressClassName("signalbox").addNewRule().withHost("shop.example.com").withNewHttp()
                        .addNewPath().withPath("/cart").withPathType("Prefix").withNewBackend().withNewService().withName("web")
                        .withNewPort().withName("http").endPort().endService().endBackend().endPath().endHttp().endRule()
                        .endSpec().build()).create();

                for (ProxyNode p : List.of(p1, p2)) {
                    HttpResponse<String> r = Await.value("proxy " + p.httpPort() + " routes shop.example.com/cart", WAIT,
                            () -> Http.get(p.httpPort(), "shop.example.com", "/cart/items?id=1"), x -> x.statusCode() == 200);
                    assertTrue(r.body().contains("backend: web-pod-1"), r.body());
                    assertTrue(r.body().contains("uri: /cart/items?id=1"), r.body());
                    assertTrue(r.body().contains("header-x-forwarded-host: shop.example.com"), r.body());
                }
                Await.until("both proxies apply the same version", WAIT, () -> p1.appliedVersion() == p2.appliedVersion());
                assertEquals(Http.get(p1.httpPort(), "shop.example.com", "/cart").headers().firstValue("X-Signalbox-Version"),
                        Http.get(p2.httpPort(), "shop.example.com", "/cart").headers().firstValue("X-Signalbox-Version"));
                assertEquals(404, Http.get(p1.httpPort(), "shop.example.com", "/cartography").statusCode(),
                        "Prefix /cart matches path elements, not characters");

                client.network().v1().ingresses().inNamespace("shop").withName("shop").delete();
                for (ProxyNode p : List.of(p1, p2)) {
                    Await.value("proxy " + p.httpPort() + " stops routing the deleted Ingress", WAIT,
                            () -> Http.get(p.httpPort(), "shop.example.com", "/cart").statusCode(), s -> s == 404);
                }
                Await.until("both proxies apply the same version", WAIT, () -> p1.appliedVersion() == p2.appliedVersion());

                // A proxy started after all of this serves the current table at once.
                try (ProxyNode late = Pipeline.proxy(bootstrap, "late")) {
                    Await.until("the late proxy applies the current version", WAIT,
                            () -> late.appliedVersion() == p1.appliedVersion());
                    assertEquals(404, Http.get(late.httpPort(), "shop.example.com", "/cart").statusCode());
                }
            }
        }
    }
}
