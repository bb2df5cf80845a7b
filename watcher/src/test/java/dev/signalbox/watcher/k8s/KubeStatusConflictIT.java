package dev.signalbox.watcher.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.schemas.event.Kind;
import dev.signalbox.watcher.status.IngressRef;
import dev.signalbox.watcher.status.LbAddress;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The 409 path of a status write. The CRUD mock accepts a PUT to /status with a stale resourceVersion
 * (a real API server refuses it), so this test scripts the server's answers instead.
 */
@EnableKubernetesMockClient
class KubeStatusConflictIT {
    static final String STATUS = "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web/status";
    static KubernetesClient client;
    static KubernetesMockServer server;

    static Ingress web(String resourceVersion) {
        return new IngressBuilder().withNewMetadata().withNamespace("shop").withName("web").withResourceVersion(resourceVersion)
                .endMetadata().withNewSpec().withIngressClassName("signalbox").endSpec().build();
    }

    @Test
    void aStatusWriteFromAStaleCacheRereadsTheIngressAndRetriesOnceWithItsVersion() throws Exception {
        Ingress stale = web("1");
        CachedObjects cache = new CachedObjects() {
            @Override
            public Optional<HasMetadata> object(Kind kind, String namespace, String name) {
                return Optional.of(stale);
            }

            @Override
            public List<Ingress> ingresses() {
                return List.of(stale);
            }
        };
        server.expect().put().withPath(STATUS).andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict")
                .withMessage("the object has been modified").build()).once();
        server.expect().get().withPath("/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web").andReturn(200, web("7")).once();
        server.expect().put().withPath(STATUS).andReturn(200, web("8")).once();

        assertTrue(new KubeStatus(client, cache, Clock.systemUTC(), "default", "signalbox-watcher-c1").writeStatus(new IngressRef("shop", "web"),
                List.of(LbAddress.parse("203.0.113.1"))));

        List<RecordedRequest> requests = new ArrayList<>();
        for (RecordedRequest r; (r = server.takeRequest(1, TimeUnit.SECONDS)) != null; ) {
            requests.add(r);
        }
        assertEquals(List.of("PUT " + STATUS, "GET /apis/networking.k8s.io/v1/namespaces/shop/ingresses/web", "PUT " + STATUS),
                requests.stream().map(r -> r.getMethod() + " " + r.getPath()).toList());
        String retry = requests.get(2).getBody().readUtf8();
        assertTrue(retry.contains("\"resourceVersion\":\"7\"") && retry.contains("\"ip\":\"203.0.113.1\""), retry);
    }
}
