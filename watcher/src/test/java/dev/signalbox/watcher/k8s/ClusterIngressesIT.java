package dev.signalbox.watcher.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ClusterIngressesIT {
    static KubernetesClient client;

    @Test
    void listsEveryNamespacesIngressesWithTheirIngressNginxAnnotations() {
        client.network().v1().ingresses().inNamespace("b").resource(new IngressBuilder().withNewMetadata().withName("web")
                .withAnnotations(Map.of("nginx.ingress.kubernetes.io/rewrite-target", "/", "team", "x")).endMetadata()
                .withNewSpec().withIngressClassName("nginx").endSpec().build()).create();
        client.network().v1().ingresses().inNamespace("a").resource(new IngressBuilder().withNewMetadata().withName("api")
                .endMetadata().withNewSpec().endSpec().build()).create();

        List<Observed> listed = ClusterIngresses.list(client, "c1");

        assertEquals(List.of("a/api {}", "b/web {nginx.ingress.kubernetes.io/rewrite-target=/}"), listed.stream()
                .map(o -> o.key().shortName() + " " + ((IngressState) o.state()).annotations()).toList());
    }
}
