package dev.signalbox.launcher.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.accesslog.AccessLogConfig;
import dev.signalbox.proxy.http.ClientPolicy;
import dev.signalbox.proxy.http.TrustedProxies;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.JsonLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/ingress local} as a user runs it: files in a directory become routes on every proxy. */
class LocalModeIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void editingAndRemovingManifestFilesChangesRoutingOnEveryProxy(@TempDir Path dir) throws IOException {
        try (EchoBackend a = EchoBackend.start("a"); EchoBackend b = EchoBackend.start("b")) {
            Files.writeString(dir.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(dir.resolve("services.yaml"), MANIFESTS.service("svc-a", a.port()) + "---\n"
                    + MANIFESTS.service("svc-b", b.port()));
            Files.writeString(dir.resolve("app.yaml"), MANIFESTS.ingress("app", "app.local", "/", "svc-a"));
            LocalConfig config = LocalConfig.onFreePorts(dir, dir.resolve("data"), 2);
            try (LocalMode local = LocalMode.start(config)) {
                for (ProxyNode p : local.proxies()) {
                    awaitBackend(p, "app.local", "/x", "a");
                }
                Files.writeString(dir.resolve("app.yaml"), MANIFESTS.ingress("app", "app.local", "/", "svc-b"));
                for (ProxyNode p : local.proxies()) {
                    awaitBackend(p, "app.local", "/x", "b");
                }
                // A file that does not parse is reported; everything else keeps being served and updated.
                Files.writeString(dir.resolve("broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata: [unclosed\n");
                Files.writeString(dir.resolve("other.yaml"), MANIFESTS.ingress("other", "other.local", "/", "svc-a"));
                for (ProxyNode p : local.proxies()) {
                    awaitBackend(p, "other.local", "/", "a");
                    assertEquals(200, Http.get(p.httpPort(), "app.local", "/x").statusCode());
                }
                Files.delete(dir.resolve("app.yaml"));
                for (ProxyNode p : local.proxies()) {
                    Await.value("app.local is no longer routed", WAIT,
                            () -> Http.get(p.httpPort(), "app.local", "/x").statusCode(), s -> s == 404);
                }
                // An Ingress naming a Service that does not exist is a diagnostic in /routes; the rest is served.
                Files.writeString(dir.resolve("typo.yaml"), MANIFESTS.ingress("typo", "typo.local", "/", "svc-typo"));
                HttpResponse<String> routes = Await.value("a diagnostic for the typo", WAIT,
                        () -> Http.get(local.proxies().get(0).adminPort(), null, "/routes"),
                        r -> r.body().contains("service bench/svc-typo does not exist"));
                assertTrue(routes.body().contains("\"version\""), routes.body());
                assertEquals(503, Http.get(local.proxies().get(0).httpPort(), "typo.local", "/").statusCode());
                awaitBackend(local.proxies().get(1), "other.local", "/", "a");
            }
        }
    }

    @Test
    void theExampleIsServedWithoutArguments(@TempDir Path data) {
        Path examples = Path.of(System.getProperty("user.dir")).resolve("../deploy/examples").normalize();
        LocalConfig config = new LocalConfig(examples, "127.0.0.1", new LocalConfig.Ports(0, 0, 0), 1, data, 0, "local", true);
        try (LocalMode local = LocalMode.start(config)) {
            int port = local.proxies().get(0).httpPort();
            awaitBackend(local.proxies().get(0), "demo.localtest.me", "/a", "echo-a");
            awaitBackend(local.proxies().get(0), "demo.localtest.me", "/b/x", "echo-b");
            awaitBackend(local.proxies().get(0), "anything.example", "/anything", "echo-b");
            assertEquals(200, Http.get(port, "demo.localtest.me", "/a").statusCode());
        }
    }

    @Test
    void proxiesPreferTheEndpointsInTheirZoneAsTheEndpointSlicesSay(@TempDir Path dir) throws IOException {
        try (EchoBackend a = EchoBackend.start("a"); EchoBackend b = EchoBackend.start("b")) {
            Files.writeString(dir.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(dir.resolve("services.yaml"), MANIFESTS.service("svc", Manifests.ServicePort.HTTP,
                    List.of(Manifests.Endpoint.loopback(a.port()).inZone("z1"), Manifests.Endpoint.loopback(b.port()).inZone("z2"))));
            Files.writeString(dir.resolve("app.yaml"), MANIFESTS.ingress("app", "zone.local", "/", "svc"));
            LocalConfig config = new LocalConfig(dir, "127.0.0.1", new LocalConfig.Ports(0, 0, 0), 1,
                    dir.resolve("data"), 0, "local", false, "z1", Locality.Policy.PREFER_LOCAL);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode p = local.proxies().get(0);
                awaitBackend(p, "zone.local", "/", "a");
                List<String> served = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    served.add(Http.get(p.httpPort(), "zone.local", "/").body().contains("backend: a\n") ? "a" : "b");
                }
                assertEquals(Collections.nCopies(6, "a"), served);
                JsonNode routes = Json.MAPPER.readTree(Http.get(p.adminPort(), null, "/routes").body());
                List<String> endpoints = new ArrayList<>();
                routes.at("/table/backends/0/endpoints").forEach(e -> endpoints.add(e.path("port").asInt() + " "
                        + e.path("cluster").asText() + " " + e.path("zone").asText() + " " + e.path("locality").asText()));
                assertEquals(List.of(a.port() + " local z1 local-zone", b.port() + " local z2 local-cluster").stream().sorted().toList(),
                        endpoints.stream().sorted().toList(), routes.toString());
                // Its zone's endpoint moves to the other zone: both are in the cluster, and both serve.
                Files.writeString(dir.resolve("services.yaml"), MANIFESTS.service("svc", Manifests.ServicePort.HTTP,
                        List.of(Manifests.Endpoint.loopback(a.port()).inZone("z2"), Manifests.Endpoint.loopback(b.port()).inZone("z2"))));
                awaitBackend(p, "zone.local", "/", "b");
                awaitBackend(p, "zone.local", "/", "a");
            }
        }
    }

    @Test
    void everyProxyTreatsItsClientsAsBinIngressProxysOptionsSay(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("access.log");
        try (EchoBackend a = EchoBackend.start("a")) {
            Files.writeString(dir.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(dir.resolve("services.yaml"), MANIFESTS.service("svc-a", a.port()));
            Files.writeString(dir.resolve("app.yaml"), MANIFESTS.ingress("app", "edge.local", "/", "svc-a"));
            // --proxy-protocol --trusted-proxies 192.0.2.0/24 --access-log on --access-log-file access.log
            ProxyClients clients = new ProxyClients(TrustedProxies.parse("192.0.2.0/24"), new ClientPolicy(
                    ClientPolicy.DEFAULT_HEADER_TIMEOUT, ClientPolicy.DEFAULT_KEEPALIVE_TIMEOUT, true),
                    AccessLogConfig.parse("on", log));
            LocalConfig config = LocalConfig.onFreePorts(dir, dir.resolve("data"), 2).withClients(clients);
            try (LocalMode local = LocalMode.start(config)) {
                for (ProxyNode p : local.proxies()) {
                    String untrusted = "untrusted-" + p.httpPort();
                    String body = Await.value("proxy " + p.httpPort() + " routes edge.local", WAIT,
                            () -> body(p.httpPort(), "PROXY TCP4 198.51.100.7 10.0.0.1 5000 80\r\n", untrusted),
                            b -> b.contains("backend: a\n"));
                    // The client the PROXY header names, not the socket's peer; its own X-Forwarded-For is replaced.
                    assertEquals(List.of("header-x-forwarded-for: 198.51.100.7", "header-x-real-ip: 198.51.100.7"),
                            identity(body), body);
                    String trusted = "trusted-" + p.httpPort();
                    body = body(p.httpPort(), "PROXY TCP4 192.0.2.10 10.0.0.1 5000 80\r\n", trusted);
                    assertEquals(List.of("header-x-forwarded-for: 10.6.6.6, 192.0.2.10", "header-x-real-ip: 10.6.6.6"),
                            identity(body), body);
                    assertEquals("closed unanswered", body(p.httpPort(), "", "no-header-" + p.httpPort()));

                    List<JsonNode> lines = Await.value("the access log line of " + trusted, WAIT,
                            () -> JsonLines.where(log, "request_id", trusted), l -> !l.isEmpty());
                    assertEquals(List.of("192.0.2.10 GET edge.local /who 200"), lines.stream().map(LocalModeIT::summary).toList());
                    assertEquals(List.of("198.51.100.7 GET edge.local /who 200"), JsonLines.where(log, "request_id", untrusted)
                            .stream().filter(j -> j.get("status").asInt() == 200).map(LocalModeIT::summary).toList());
                }
            }
        }
    }

    private static String summary(JsonNode line) {
        return String.join(" ", line.get("client").asText(), line.get("method").asText(), line.get("host").asText(),
                line.get("path").asText(), line.get("status").asText());
    }

    /** The identity fields the echo backend saw. */
    private static List<String> identity(String echoed) {
        return echoed.lines().filter(l -> l.startsWith("header-x-forwarded-for:") || l.startsWith("header-x-real-ip:"))
                .toList();
    }

    /**
     * The response body to a request that claims to come from 10.6.6.6, sent on a raw socket after
     * {@code proxyHeader} ("" for none); "closed unanswered" when the proxy closed the connection without a response.
     */
    private static String body(int port, String proxyHeader, String requestId) {
        String request = proxyHeader + "GET /who HTTP/1.1\r\nHost: edge.local\r\nX-Forwarded-For: 10.6.6.6\r\n"
                + "X-Real-IP: 10.6.6.6\r\nX-Request-ID: " + requestId + "\r\nConnection: close\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
            return m == null ? "closed unanswered" : m.startLine() + "\n" + m.bodyText();
        } catch (SocketException reset) {
            return "closed unanswered";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitBackend(ProxyNode p, String host, String path, String backend) {
        Await.value("proxy " + p.httpPort() + " sends " + host + path + " to " + backend, WAIT,
                () -> Http.tryGet(p.httpPort(), host, path),
                r -> r != null && r.statusCode() == 200 && r.body().contains("backend: " + backend + "\n"));
    }
}
