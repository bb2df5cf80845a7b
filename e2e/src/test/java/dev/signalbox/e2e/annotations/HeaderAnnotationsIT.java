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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, headers, through watcher, compiler and a proxy: the CORS answers ingress-nginx's e2e tests
 * (test/e2e/annotations/cors.go) expect for the same annotations and requests, the preflight the proxy answers
 * itself, signalbox.dev/response-headers, and a response-headers value that tries to set an identity field, which
 * leaves only its own Ingress unrouted.
 */
class HeaderAnnotationsIT {
    private static final Manifests MANIFESTS = new Manifests("shop");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String N = "nginx.ingress.kubernetes.io/";

    @Test
    void corsAndResponseHeadersBehaveAsInIngressNginx(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend web = EchoBackend.start("web")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("services.yaml"),
                    MANIFESTS.service("web", ServicePort.HTTP, List.of(Endpoint.loopback(web.port()))));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("star", "star.local").annotation(N + "enable-cors", "true").yaml(),
                    ingress("listed", "cors.local").annotation(N + "enable-cors", "true")
                            .annotation(N + "cors-allow-origin", "https://origin.cors.com:8080, http://*.origin.com:8080")
                            .annotation(N + "cors-allow-credentials", "false")
                            .annotation(N + "cors-expose-headers", "X-CustomResponseHeader, X-CustomSecondHeader")
                            .annotation("signalbox.dev/response-headers",
                                    "X-Frame-Options: DENY\nStrict-Transport-Security: max-age=31536000").yaml(),
                    ingress("broken", "broken.local")
                            .annotation("signalbox.dev/response-headers", "X-Forwarded-For: 203.0.113.9").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                int port = local.proxies().get(0).httpPort();
                Await.value("cors.local to be routed", WAIT, () -> Http.tryGet(port, "cors.local", "/"),
                        r -> r != null && r.statusCode() != 404);

                // cors.go "should enable cors": every default, and Allow-Origin * with or without an Origin.
                HttpResponse<String> preflight = Http.send(port, "OPTIONS", "star.local", "/");
                assertEquals(List.of("204", "*", "true", "GET, PUT, POST, DELETE, PATCH, OPTIONS",
                        "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,"
                                + "Authorization", "1728000", ""), fields(preflight, "Access-Control-Allow-Origin",
                        "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
                        "Access-Control-Max-Age", "Content-Length"));
                assertEquals(List.of("200", "*"), fields(Http.get(port, "star.local", "/"), "Access-Control-Allow-Origin"));

                // "should allow origin for cors", "should expose headers for cors", "should disable cors allow
                // credentials", and a preflight from that origin answered by the proxy, not the backend.
                String origin = "https://origin.cors.com:8080";
                assertEquals(List.of("200", origin, "", "X-CustomResponseHeader, X-CustomSecondHeader", "DENY",
                        "max-age=31536000"), fields(Http.get(port, "cors.local", "/", "Origin", origin),
                        "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers",
                        "X-Frame-Options", "Strict-Transport-Security"));
                HttpResponse<String> listedPreflight = Http.send(port, "OPTIONS", "cors.local", "/api", "Origin", origin,
                        "Access-Control-Request-Method", "PUT");
                assertEquals(List.of("204", origin, ""), List.of(String.valueOf(listedPreflight.statusCode()),
                        listedPreflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""), listedPreflight.body()));

                // "should not allow - single origin for multiple cors values": the backend answers, without CORS fields.
                assertEquals(List.of("200", "", "DENY"), fields(Http.get(port, "cors.local", "/", "Origin",
                        "http://no.origin.com"), "Access-Control-Allow-Origin", "X-Frame-Options"));
                // "matching origin+port with wildcard origin", and the two-label and portless origins it refuses.
                assertEquals(List.of("200", "http://abc.origin.com:8080"), fields(Http.get(port, "cors.local", "/",
                        "Origin", "http://abc.origin.com:8080"), "Access-Control-Allow-Origin"));
                assertEquals(List.of("200", ""), fields(Http.get(port, "cors.local", "/", "Origin",
                        "http://bar.foo.origin.com:8080"), "Access-Control-Allow-Origin"));
                assertEquals(List.of("200", ""), fields(Http.get(port, "cors.local", "/", "Origin",
                        "http://abc.origin.com"), "Access-Control-Allow-Origin"));
                // An OPTIONS from an origin not listed goes to the backend.
                HttpResponse<String> proxied = Http.send(port, "OPTIONS", "cors.local", "/", "Origin", "http://no.origin.com");
                assertEquals(List.of(200, true), List.of(proxied.statusCode(), proxied.body().contains("backend: web")));

                assertEquals(404, Http.get(port, "broken.local", "/").statusCode(),
                        "an Ingress whose response-headers sets an identity field is not routed");
            }
        }
    }

    /** The status, then each field's first value ("" when absent). */
    static List<String> fields(HttpResponse<String> r, String... names) {
        String[] out = new String[names.length + 1];
        out[0] = String.valueOf(r.statusCode());
        for (int i = 0; i < names.length; i++) {
            out[i + 1] = r.headers().firstValue(names[i]).orElse("");
        }
        return Arrays.asList(out);
    }

    private static Manifests.Ingress ingress(String name, String host) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rule(new Rule(host, Manifests.prefix("/", "web")));
    }
}
