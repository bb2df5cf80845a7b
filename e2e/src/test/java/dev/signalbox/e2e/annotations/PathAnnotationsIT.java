package dev.signalbox.e2e.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, paths and redirects, through watcher, compiler and a proxy: the status codes, Location fields and
 * backend paths ingress-nginx's e2e tests (test/e2e/annotations/rewrite.go, approot.go, redirect.go,
 * fromtowwwredirect.go, alias.go, xforwardedprefix.go) expect for the same requests, and a malformed value that
 * leaves only its own Ingress unrouted.
 */
class PathAnnotationsIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void pathsAndRedirectsBehaveAsInIngressNginx(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend web = EchoBackend.start("web"); EchoBackend other = EchoBackend.start("other")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("services.yaml"), Manifests.documents(
                    MANIFESTS.service("web", ServicePort.HTTP, List.of(Endpoint.loopback(web.port()))),
                    MANIFESTS.service("other", ServicePort.HTTP, List.of(Endpoint.loopback(other.port())))));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("rewrite", new Rule("rewrite.local",
                            Manifests.implementationSpecific("/something(/|$)(.*)", "web")))
                            .annotation(N + "rewrite-target", "/$2").annotation(N + "use-regex", "true")
                            .annotation(N + "x-forwarded-prefix", "/something").yaml(),
                    // rewrite.go "should use ~* location modifier if regex annotation is present": the literal path of
                    // another Ingress becomes a regular expression too; the longer is tried first.
                    ingress("literal", new Rule("regex.local", Manifests.exact("/foo/bar/1", "other"))).yaml(),
                    ingress("regex", new Rule("regex.local", Manifests.implementationSpecific("/foo/bar/[a-z]{3}", "web")))
                            .annotation(N + "use-regex", "true").yaml(),
                    ingress("approot", new Rule("approot.local", Manifests.prefix("/", "web")))
                            .annotation(N + "app-root", "/foo").yaml(),
                    ingress("permanent", new Rule("permanent.local", Manifests.prefix("/something", "web")))
                            .annotation(N + "permanent-redirect", "https://www.google.com").yaml(),
                    ingress("temporal", new Rule("temporal.local", Manifests.prefix("/something", "web")))
                            .annotation(N + "temporal-redirect", "https://www.google.com")
                            .annotation(N + "temporal-redirect-code", "307").yaml(),
                    ingress("www", new Rule("fromtowww.local", Manifests.prefix("/", "web")))
                            .annotation(N + "from-to-www-redirect", "true").yaml(),
                    ingress("alias", new Rule("alias.local", Manifests.prefix("/", "other")))
                            .annotation(N + "server-alias", "alias-a.local, alias-b.local").yaml(),
                    ingress("force", new Rule("force.local", Manifests.prefix("/", "web")))
                            .annotation(N + "force-ssl-redirect", "true").yaml(),
                    ingress("broken", new Rule("broken.local", Manifests.prefix("/", "web")))
                            .annotation(N + "use-regex", "yes").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode proxy = local.proxies().get(0);
                int port = proxy.httpPort();
                Await.value("rewrite.local to be routed", WAIT, () -> Http.tryGet(port, "rewrite.local", "/something"),
                        r -> r != null && r.statusCode() != 404);

                HttpResponse<String> rewritten = Http.get(port, "rewrite.local", "/something/new/path?q=1");
                assertEquals(200, rewritten.statusCode(), rewritten.body());
                assertTrue(rewritten.body().contains("uri: /new/path?q=1\n"), rewritten.body());
                assertTrue(rewritten.body().toLowerCase(Locale.ROOT).contains("header-x-forwarded-prefix: /something\n"),
                        rewritten.body());
                assertTrue(Http.get(port, "rewrite.local", "/something").body().contains("uri: /\n"));
                assertTrue(Http.get(port, "rewrite.local", "/SomeThing/x").body().contains("uri: /x\n"),
                        "regular expressions match without case, as nginx's ~*");
                assertEquals(404, Http.get(port, "rewrite.local", "/other").statusCode());

                assertTrue(Http.get(port, "regex.local", "/foo/bar/bar").body().contains("backend: web\n"));
                assertTrue(Http.get(port, "regex.local", "/foo/bar/1/more").body().contains("backend: other\n"),
                        "an Exact path of a regex host matches as a regular expression, anchored at the start only");

                assertRedirect(Http.get(port, "approot.local", "/"), 302, "http://approot.local/foo");
                assertEquals(200, Http.get(port, "approot.local", "/foo").statusCode());
                assertRedirect(Http.get(port, "permanent.local", "/something"), 301, "https://www.google.com");
                assertRedirect(Http.get(port, "temporal.local", "/something"), 307, "https://www.google.com");
                assertRedirect(Http.get(port, "www.fromtowww.local", "/foo"), 308, "http://fromtowww.local:" + port + "/foo");
                assertEquals(200, Http.get(port, "fromtowww.local", "/foo").statusCode());
                // force-ssl-redirect without spec.tls: plain HTTP goes to HTTPS, and a client that is not a trusted proxy
                // cannot skip the redirect by claiming X-Forwarded-Proto: https.
                for (HttpResponse<String> forced : List.of(Http.get(port, "force.local", "/a?b=1"),
                        Http.get(port, "force.local", "/a?b=1", "X-Forwarded-Proto", "https"))) {
                    assertEquals(308, forced.statusCode(), forced.body());
                    String location = forced.headers().firstValue("Location").orElse("");
                    assertTrue(location.startsWith("https://force.local") && location.endsWith("/a?b=1"), location);
                }

                for (String host : List.of("alias.local", "alias-a.local", "alias-b.local")) {
                    HttpResponse<String> r = Http.get(port, host, "/");
                    assertEquals(200, r.statusCode(), host);
                    assertTrue(r.body().contains("backend: other\n"), r.body());
                }
                assertEquals(404, Http.get(port, "alias-c.local", "/").statusCode());
                assertEquals(404, Http.get(port, "broken.local", "/").statusCode(),
                        "an Ingress with a malformed value is not routed");
            }
        }
    }

    private static void assertRedirect(HttpResponse<String> r, int status, String location) {
        assertEquals(List.of(status, location), List.of(r.statusCode(), r.headers().firstValue("location").orElse("")),
                r.body());
    }

    private static Manifests.Ingress ingress(String name, Rule rule) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(rule);
    }
}
