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
import dev.signalbox.testing.RawBackend;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, service-upstream, default-backend and custom-http-errors, through watcher, compiler and a proxy, as
 * ingress-nginx's e2e tests (test/e2e/annotations/serviceupstream.go, customhttperrors.go, default_backend.go) use
 * them: a Service's cluster IP instead of its endpoints, a backend's 404 answered by the Ingress's default backend
 * with the fields ingress-nginx sends it, a Service without endpoints served by the default backend.
 */
class BackendAnnotationsIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void serviceUpstreamAndErrorPagesBehaveAsInIngressNginx(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend pods = EchoBackend.start("pods"); EchoBackend vip = EchoBackend.start("vip");
             EchoBackend errors = EchoBackend.start("errors");
             RawBackend app = RawBackend.start(r -> "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\napp 404"
                     .getBytes(StandardCharsets.US_ASCII))) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            // The Service's cluster IP and port reach "vip"; its endpoints are "pods".
            Files.writeString(manifests.resolve("services.yaml"), Manifests.documents(
                    MANIFESTS.service("web", new ServicePort("http", vip.port()), "127.0.0.1",
                            List.of(Endpoint.loopback(pods.port()))),
                    MANIFESTS.service("app", ServicePort.HTTP, List.of(Endpoint.loopback(app.port()))),
                    MANIFESTS.service("errors", ServicePort.HTTP, List.of(Endpoint.loopback(errors.port()))),
                    MANIFESTS.service("down", ServicePort.HTTP, List.of())));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("endpoints", new Rule("endpoints.local", Manifests.prefix("/", "web"))).yaml(),
                    ingress("upstream", new Rule("upstream.local", Manifests.prefix("/", "web")))
                            .annotation(N + "service-upstream", "true").yaml(),
                    ingress("custom", new Rule("custom.local", Manifests.prefix("/", "app")))
                            .annotation(N + "default-backend", "errors")
                            .annotation(N + "custom-http-errors", "404,503").yaml(),
                    ingress("fallback", new Rule("fallback.local", Manifests.prefix("/", "down")))
                            .annotation(N + "default-backend", "errors").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                int port = local.proxies().get(0).httpPort();
                Await.value("fallback.local to be routed", WAIT, () -> Http.tryGet(port, "fallback.local", "/"),
                        r -> r != null && r.statusCode() == 200);

                // serviceupstream.go: with the annotation the upstream is the Service's cluster IP, without it the pods.
                Map<String, String> servedBy = new TreeMap<>();
                servedBy.put("endpoints.local", backend(Http.get(port, "endpoints.local", "/")));
                servedBy.put("upstream.local", backend(Http.get(port, "upstream.local", "/")));
                assertEquals(Map.of("endpoints.local", "pods", "upstream.local", "vip"), servedBy);

                // customhttperrors.go: the 404 is answered by the default backend, asked for "/" with the query and
                // ingress-nginx's fields; this default backend answers 200, which the client gets as it is.
                HttpResponse<String> custom = Http.get(port, "custom.local", "/gone/page?id=7", "Accept", "text/html",
                        "X-Request-ID", "e2e-1");
                assertEquals(List.of("status: 200", "backend: errors", "method: GET", "uri: /?id=7", "header-x-code: 404",
                                "header-x-format: text/html", "header-x-original-uri: /gone/page?id=7",
                                "header-x-namespace: shop", "header-x-ingress-name: custom", "header-x-service-name: app",
                                "header-x-service-port: http", "header-x-request-id: e2e-1", "header-host: custom.local"),
                        echoed(custom, "backend", "method", "uri", "header-x-code", "header-x-format",
                                "header-x-original-uri", "header-x-namespace", "header-x-ingress-name",
                                "header-x-service-name", "header-x-service-port", "header-x-request-id", "header-host"));

                // default_backend.go: a Service without endpoints is served by the Ingress's default backend, the
                // request as it came.
                assertEquals(List.of("status: 200", "backend: errors", "uri: /a/b?x=1", "header-x-code: null"),
                        echoed(Http.get(port, "fallback.local", "/a/b?x=1"), "backend", "uri", "header-x-code"));
            }
        }
    }

    private static String backend(HttpResponse<String> r) {
        return r.headers().firstValue("X-Backend").orElse("none");
    }

    /** The status, then the echo backend's lines for {@code keys} ("key: null" for one it did not echo). */
    private static List<String> echoed(HttpResponse<String> r, String... keys) {
        List<String> lines = Arrays.asList(r.body().split("\n"));
        List<String> out = new java.util.ArrayList<>(List.of("status: " + r.statusCode()));
        for (String k : keys) {
            out.add(lines.stream().filter(l -> l.startsWith(k + ": ")).findFirst().orElse(k + ": null"));
        }
        return out;
    }

    private static Manifests.Ingress ingress(String name, Rule rule) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(rule);
    }
}
