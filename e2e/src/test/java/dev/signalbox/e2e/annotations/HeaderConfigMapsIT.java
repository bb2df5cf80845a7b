package dev.signalbox.e2e.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.manifests.Manifests.Endpoint;
import dev.signalbox.launcher.manifests.Manifests.Rule;
import dev.signalbox.launcher.manifests.Manifests.ServicePort;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, header fields from ConfigMaps, through watcher (manifests), compiler and a proxy: the answers ingress-nginx's
 * e2e tests expect for {@code custom-headers} (test/e2e/annotations/customheaders.go: the ConfigMap's fields on the
 * response, {@code $remote_addr} as written; 503 when the ConfigMap is missing), Signalbox's
 * {@code signalbox.dev/proxy-set-headers} (the fields ingress-nginx's controller-wide {@code proxy-set-headers} sends
 * upstream, replacing the client's), a ConfigMap edit reaching the proxy, and a ConfigMap that tries to set an identity
 * field, which denies only its own Ingress.
 */
class HeaderConfigMapsIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void configMapFieldsReachResponsesAndBackendsAsInIngressNginx(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend web = EchoBackend.start("web")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("services.yaml"),
                    MANIFESTS.service("web", ServicePort.HTTP, List.of(Endpoint.loopback(web.port()))));
            Path configMaps = manifests.resolve("configmaps.yaml");
            Files.writeString(configMaps, configMaps("42"));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("custom", "custom-headers.local").annotation(N + "custom-headers", "shop/custom-headers").yaml(),
                    ingress("missing", "missing.local").annotation(N + "custom-headers", "shop/no-such-configmap").yaml(),
                    ingress("upstream", "upstream.local")
                            .annotation("signalbox.dev/proxy-set-headers", "shop/upstream-headers").yaml(),
                    ingress("forged", "forged.local").annotation(N + "custom-headers", "shop/forged-headers").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                int port = local.proxies().get(0).httpPort();
                Await.value("custom-headers.local to be routed", WAIT, () -> Http.tryGet(port, "custom-headers.local", "/"),
                        r -> r != null && r.statusCode() != 404);

                // customheaders.go: "should set more_set_headers 'My-Custom-Header' '42'" (and the $ value as written).
                assertEquals(List.of("200", "42", "$remote_addr"), HeaderAnnotationsIT.fields(Http.get(port, "custom-headers.local", "/"),
                        "My-Custom-Header", "My-Custom-Header-Dollar"));
                // "should return status code 503 when custom-headers is configured with an invalid secret".
                assertEquals(503, Http.get(port, "missing.local", "/").statusCode());

                // proxy-set-headers: the fields reach the backend, replacing what the client sent; the response has none.
                HttpResponse<String> up = Http.get(port, "upstream.local", "/", "X-Tenant", "forged");
                assertEquals(List.of(200, true, true, false, ""), List.of(up.statusCode(),
                        up.body().contains("header-x-tenant: blue\n"), up.body().contains("header-x-using-signalbox: true\n"),
                        up.body().contains("forged"), up.headers().firstValue("X-Tenant").orElse("")));

                assertEquals(503, Http.get(port, "forged.local", "/").statusCode(),
                        "a ConfigMap that sets X-Forwarded-For denies its Ingress's paths");
                assertEquals(200, Http.get(port, "custom-headers.local", "/").statusCode(), "and no other Ingress's");

                // A ConfigMap edit reaches the proxy like any other change.
                Files.writeString(configMaps, configMaps("43"));
                Await.value("the edited field", WAIT, () -> Http.tryGet(port, "custom-headers.local", "/"),
                        r -> r != null && "43".equals(r.headers().firstValue("My-Custom-Header").orElse("")));
            }
        }
    }

    private static String configMaps(String value) {
        return Manifests.documents(
                MANIFESTS.configMap("custom-headers", Map.of("My-Custom-Header", value, "My-Custom-Header-Dollar", "$remote_addr")),
                MANIFESTS.configMap("upstream-headers", Map.of("X-Tenant", "blue", "X-Using-Signalbox", "true")),
                MANIFESTS.configMap("forged-headers", Map.of("X-Forwarded-For", "203.0.113.9")),
                MANIFESTS.configMap("app-settings", Map.of("DATABASE_URL", "postgres://db")));
    }

    private static Manifests.Ingress ingress(String name, String host) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(new Rule(host, Manifests.prefix("/", "web")));
    }
}
