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
import dev.signalbox.testing.RawBackend;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, access control, through watcher, compiler and a proxy in local mode: basic auth from an Opaque Secret the
 * watcher publishes sealed because an Ingress names it (ingress-nginx's test/e2e/annotations/auth.go: 401 with the
 * realm, 200 with the right password, 503 when the Secret is missing), source ranges (ipallowlist.go, ipdenylist.go:
 * 403), and auth-url against a small auth service (its 401, a signin redirect, its fields passed on).
 */
class AccessAnnotationsIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void accessControlBehavesAsInIngressNginx(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend web = EchoBackend.start("web");
             RawBackend auth = RawBackend.start(r -> "good".equals(r.request().get("x-token"))
                     ? "HTTP/1.1 200 OK\r\nX-Auth-Request-User: alice\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)
                     : "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("services.yaml"), Manifests.documents(
                    MANIFESTS.service("web", ServicePort.HTTP, List.of(Endpoint.loopback(web.port()))),
                    MANIFESTS.opaqueSecret("basic-auth", Map.of("auth",
                            "foo:$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0\n"
                                    + "bc:$2y$05$abcdefghijklmnopqrstuuUq7qXkDOZJ5Q8HA9wCOH0FErWp6q0b6\n")),
                    MANIFESTS.opaqueSecret("unrelated", Map.of("password", "hunter2"))));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("basic", new Rule("basic.local", Manifests.prefix("/", "web")))
                            .annotation(N + "auth-type", "basic").annotation(N + "auth-secret", "basic-auth")
                            .annotation(N + "auth-realm", "Authentication Required - foo").yaml(),
                    ingress("missing", new Rule("missing.local", Manifests.prefix("/", "web")))
                            .annotation(N + "auth-type", "basic").annotation(N + "auth-secret", "no-such-secret").yaml(),
                    ingress("allowed", new Rule("allowed.local", Manifests.prefix("/", "web")))
                            .annotation(N + "whitelist-source-range", "10.0.0.0/8, 127.0.0.1/32").yaml(),
                    ingress("refused", new Rule("refused.local", Manifests.prefix("/", "web")))
                            .annotation(N + "whitelist-source-range", "10.0.0.0/8").yaml(),
                    ingress("denied", new Rule("denied.local", Manifests.prefix("/", "web")))
                            .annotation(N + "denylist-source-range", "127.0.0.0/8").yaml(),
                    ingress("external", new Rule("external.local", Manifests.prefix("/", "web")))
                            .annotation(N + "auth-url", "http://127.0.0.1:" + auth.port() + "/auth")
                            .annotation(N + "auth-signin", "http://login.local/start")
                            .annotation(N + "auth-response-headers", "X-Auth-Request-User").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode proxy = local.proxies().get(0);
                int port = proxy.httpPort();
                Await.value("basic.local to be routed", WAIT, () -> Http.tryGet(port, "basic.local", "/"),
                        r -> r != null && r.statusCode() != 404);

                HttpResponse<String> challenged = Http.get(port, "basic.local", "/");
                assertEquals(List.of(401, "Basic realm=\"Authentication Required - foo\""), List.of(challenged.statusCode(),
                        challenged.headers().firstValue("www-authenticate").orElse("")));
                assertEquals(List.of(200, 200, 401, 503), List.of(
                        Http.get(port, "basic.local", "/", "Authorization", basic("foo", "bar")).statusCode(),
                        Http.get(port, "basic.local", "/", "Authorization", basic("bc", "bar")).statusCode(),
                        Http.get(port, "basic.local", "/", "Authorization", basic("foo", "wrong")).statusCode(),
                        Http.get(port, "missing.local", "/").statusCode()));

                assertEquals(List.of(200, 403, 403), List.of(Http.get(port, "allowed.local", "/").statusCode(),
                        Http.get(port, "refused.local", "/").statusCode(), Http.get(port, "denied.local", "/").statusCode()));

                HttpResponse<String> signin = Http.get(port, "external.local", "/app?x=1");
                assertEquals(List.of(302, "http://login.local/start?rd=http://external.local/app%3Fx%3D1"),
                        List.of(signin.statusCode(), signin.headers().firstValue("location").orElse("")));
                HttpResponse<String> through = Http.get(port, "external.local", "/app", "X-Token", "good");
                assertEquals(200, through.statusCode(), through.body());
                assertEquals(true, through.body().toLowerCase(java.util.Locale.ROOT)
                        .contains("header-x-auth-request-user: alice\n"), through.body());
            }
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Manifests.Ingress ingress(String name, Rule rule) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(rule);
    }
}
