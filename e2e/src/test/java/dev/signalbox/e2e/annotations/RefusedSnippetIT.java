package dev.signalbox.e2e.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.manifests.Manifests.Endpoint;
import dev.signalbox.launcher.manifests.Manifests.Rule;
import dev.signalbox.launcher.manifests.Manifests.ServicePort;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 through watcher, compiler and a proxy: an Ingress carrying an nginx configuration snippet is refused
 * (not routed: 404), while the Ingresses beside it, one of them with an unsupported annotation (a warning
 * only), are served from the same snapshot.
 */
class RefusedSnippetIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSnippetIngressIsNotRoutedAndTheOthersAre(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend backend = EchoBackend.start("web")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("web.yaml"), MANIFESTS.service("web", ServicePort.HTTP,
                    List.of(Endpoint.loopback(backend.port()))));
            // One file, so the three arrive in one change and one snapshot.
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("snippet", "snippet.local")
                            .annotation("nginx.ingress.kubernetes.io/configuration-snippet",
                                    "more_set_headers \"X-Frame-Options: DENY\";").yaml(),
                    ingress("cors", "cors.local").annotation("nginx.ingress.kubernetes.io/mirror-target", "http://mirror").yaml(),
                    ingress("plain", "plain.local").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode proxy = local.proxies().get(0);
                HttpResponse<String> plain = Await.value("plain.local to be routed", WAIT,
                        () -> Http.tryGet(proxy.httpPort(), "plain.local", "/"), r -> r != null && r.statusCode() != 404);
                assertEquals(200, plain.statusCode(), plain.body());
                assertEquals(200, Http.get(proxy.httpPort(), "cors.local", "/").statusCode());
                assertEquals(404, Http.get(proxy.httpPort(), "snippet.local", "/").statusCode());
            }
        }
    }

    private static Manifests.Ingress ingress(String name, String host) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(new Rule(host, Manifests.prefix("/", "web")));
    }
}
