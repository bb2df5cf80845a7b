package dev.signalbox.e2e.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, limits and timeouts, through watcher, compiler and a proxy in local mode: {@code proxy-body-size} (the
 * Ingress's, the 1m default, 0), {@code proxy-read-timeout} shorter than the proxy's 60 s, {@code proxy-next-upstream}
 * passing a GET on from an endpoint answering 502 to the other, {@code limit-rpm} with its burst, and a malformed
 * value leaving only its own Ingress
 * unrouted (ingress-nginx's e2e: test/e2e/annotations/proxy.go, clientbodybuffersize.go).
 */
class LimitAnnotationsIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void limitsAndTimeoutsBehaveAsInIngressNginx(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend web = EchoBackend.start("web");
             RawBackend failing = RawBackend.start(r -> "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad"
                     .getBytes(StandardCharsets.US_ASCII));
             RawBackend slow = RawBackend.start(r -> {
                 try {
                     Thread.sleep(3_000);
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
                 return RawBackend.ok("late");
             })) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("services.yaml"), Manifests.documents(
                    MANIFESTS.service("web", ServicePort.HTTP, List.of(Endpoint.loopback(web.port()))),
                    MANIFESTS.service("flaky", ServicePort.HTTP,
                            List.of(Endpoint.loopback(failing.port()), Endpoint.loopback(web.port()))),
                    MANIFESTS.service("slow", ServicePort.HTTP, List.of(Endpoint.loopback(slow.port())))));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("small", new Rule("small.local", Manifests.prefix("/", "web")))
                            .annotation(N + "proxy-body-size", "8k")
                            .annotation(N + "client-body-buffer-size", "16k").yaml(),
                    ingress("default", new Rule("default.local", Manifests.prefix("/", "web"))).yaml(),
                    ingress("unlimited", new Rule("unlimited.local", Manifests.prefix("/", "web")))
                            .annotation("signalbox.dev/proxy-body-size", "0").yaml(),
                    ingress("retry", new Rule("retry.local", Manifests.prefix("/", "flaky")))
                            .annotation(N + "proxy-next-upstream", "error timeout http_502").yaml(),
                    ingress("slow", new Rule("slow.local", Manifests.prefix("/", "slow")))
                            .annotation(N + "proxy-read-timeout", "1").yaml(),
                    ingress("limited", new Rule("limited.local", Manifests.prefix("/", "web")))
                            .annotation(N + "limit-rpm", "1").annotation(N + "limit-burst-multiplier", "1").yaml(),
                    ingress("broken", new Rule("broken.local", Manifests.prefix("/", "web")))
                            .annotation(N + "proxy-body-size", "ten").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                int port = local.proxies().get(0).httpPort();
                Await.value("small.local to be routed", WAIT, () -> Http.tryGet(port, "small.local", "/"),
                        r -> r != null && r.statusCode() == 200);

                assertEquals(413, Http.post(port, "small.local", "/upload", new byte[8 * 1024 + 1]).statusCode());
                HttpResponse<String> atLimit = Http.post(port, "small.local", "/upload", new byte[8 * 1024]);
                assertTrue(atLimit.body().contains("body-bytes: 8192\n"), atLimit.body());
                assertEquals(413, Http.post(port, "default.local", "/upload", new byte[(1 << 20) + 1]).statusCode(),
                        "a route without the annotation has ingress-nginx's default, 1m");
                HttpResponse<String> unlimited = Http.post(port, "unlimited.local", "/upload", new byte[2 << 20]);
                assertTrue(unlimited.body().contains("body-bytes: 2097152\n"), unlimited.body());

                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    statuses.add(Http.get(port, "retry.local", "/").statusCode());
                }
                assertEquals(List.of(200), statuses.stream().distinct().toList());
                assertTrue(failing.received().size() >= 3, "the endpoint answering 502 was asked first every other time");

                HttpResponse<String> late = Http.get(port, "slow.local", "/");
                assertEquals(504, late.statusCode(), late.body());
                assertTrue(late.body().contains("did not respond within 1000 ms"), late.body());

                // One a minute with a burst of one: two at once, then 503 (ingress-nginx's limit-req-status-code).
                assertEquals(List.of(200, 200, 503), List.of(Http.get(port, "limited.local", "/").statusCode(),
                        Http.get(port, "limited.local", "/").statusCode(), Http.get(port, "limited.local", "/").statusCode()));

                assertEquals(404, Http.get(port, "broken.local", "/").statusCode(),
                        "an Ingress with a malformed value is not routed");
            }
        }
    }

    private static Manifests.Ingress ingress(String name, Rule rule) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(rule);
    }
}
