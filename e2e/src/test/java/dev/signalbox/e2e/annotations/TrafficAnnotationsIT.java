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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, canary and session affinity, through watcher, compiler and a proxy: what ingress-nginx's e2e tests
 * (test/e2e/annotations/canary.go, affinity.go) expect for the same requests, and a malformed canary that leaves
 * every request on the main Service.
 */
class TrafficAnnotationsIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void canariesAndStickySessionsBehaveAsInIngressNginx(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend web1 = EchoBackend.start("web1"); EchoBackend web2 = EchoBackend.start("web2");
             EchoBackend canary = EchoBackend.start("canary")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("services.yaml"), Manifests.documents(
                    MANIFESTS.service("web", ServicePort.HTTP, List.of(Endpoint.loopback(web1.port()),
                            Endpoint.loopback(web2.port()))),
                    MANIFESTS.service("canary", ServicePort.HTTP, List.of(Endpoint.loopback(canary.port())))));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("main", new Rule("canary.local", Manifests.prefix("/", "web"))).yaml(),
                    ingress("main-canary", new Rule("canary.local", Manifests.prefix("/", "canary")))
                            .annotation(N + "canary", "true").annotation(N + "canary-by-header", "CanaryByHeader")
                            .annotation(N + "canary-by-cookie", "CanaryByCookie").yaml(),
                    ingress("weighted", new Rule("weighted.local", Manifests.prefix("/", "web"))).yaml(),
                    ingress("weighted-canary", new Rule("weighted.local", Manifests.prefix("/", "canary")))
                            .annotation(N + "canary", "true").annotation(N + "canary-weight", "100").yaml(),
                    ingress("broken", new Rule("broken.local", Manifests.prefix("/", "web"))).yaml(),
                    ingress("broken-canary", new Rule("broken.local", Manifests.prefix("/", "canary")))
                            .annotation(N + "canary", "true").annotation(N + "canary-by-header", "CanaryByHeader")
                            .annotation(N + "canary-weight", "abc").yaml(),
                    ingress("sticky", new Rule("sticky.local", Manifests.prefix("/", "web")))
                            .annotation(N + "affinity", "cookie").annotation(N + "session-cookie-name", "SERVERID")
                            .annotation(N + "session-cookie-max-age", "172800").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                int port = local.proxies().get(0).httpPort();
                Await.value("sticky.local to be routed", WAIT, () -> Http.tryGet(port, "sticky.local", "/"),
                        r -> r != null && r.statusCode() == 200);

                // canary.go: "should route requests to the correct upstream if the header is set to 'always'" and
                // the 'never' and cookie cases; the header is tried before the cookie.
                Map<String, String> canaryByRule = new TreeMap<>();
                canaryByRule.put("no header", service(Http.get(port, "canary.local", "/")));
                canaryByRule.put("header always", service(Http.get(port, "canary.local", "/", "CanaryByHeader", "always")));
                canaryByRule.put("header never, cookie always", service(Http.get(port, "canary.local", "/",
                        "CanaryByHeader", "never", "Cookie", "CanaryByCookie=always")));
                canaryByRule.put("header badvalue, cookie always", service(Http.get(port, "canary.local", "/",
                        "CanaryByHeader", "badvalue", "Cookie", "CanaryByCookie=always")));
                canaryByRule.put("weight 100", service(Http.get(port, "weighted.local", "/")));
                canaryByRule.put("malformed canary, header always", service(Http.get(port, "broken.local", "/",
                        "CanaryByHeader", "always")));
                assertEquals(Map.of("no header", "web", "header always", "canary", "header never, cookie always", "web",
                        "header badvalue, cookie always", "canary", "weight 100", "canary",
                        "malformed canary, header always", "web"), canaryByRule);

                // affinity.go: "should set sticky cookie SERVERID" and the same upstream for the session's requests.
                HttpResponse<String> first = Http.get(port, "sticky.local", "/");
                String setCookie = first.headers().firstValue("Set-Cookie").orElse("");
                assertTrue(setCookie.startsWith("SERVERID=") && setCookie.contains("; Max-Age=172800")
                        && setCookie.contains("; Path=/"), setCookie);
                String cookie = setCookie.substring(0, setCookie.indexOf(';'));
                List<String> served = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = Http.get(port, "sticky.local", "/", "Cookie", cookie);
                    if (!served.contains(backend(r))) {
                        served.add(backend(r));
                    }
                }
                assertEquals(List.of(backend(first)), served);
            }
        }
    }

    private static String backend(HttpResponse<String> r) {
        return r.headers().firstValue("X-Backend").orElse("none");
    }

    /** "web" for either of the main Service's endpoints, "canary" for the canary's. */
    private static String service(HttpResponse<String> r) {
        return backend(r).startsWith("web") ? "web" : backend(r);
    }

    private static Manifests.Ingress ingress(String name, Rule rule) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(rule);
    }
}
