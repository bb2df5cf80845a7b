package dev.signalbox.e2e.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.manifests.Manifests.Endpoint;
import dev.signalbox.launcher.manifests.Manifests.Rule;
import dev.signalbox.launcher.manifests.Manifests.ServicePort;
import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.TestCerts;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend mTLS end to end: manifests (a backend that speaks only HTTPS and requires a client certificate
 * issued by a CA, a kubernetes.io/tls Secret holding that CA and a client certificate, Ingresses with the
 * backend TLS annotations) go through the watcher (which seals the client key), the compiler and a proxy,
 * and a plain-HTTP request reaches the backend over mTLS; an Ingress whose Secret holds only the CA gets 502.
 */
class BackendMutualTlsIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRequestReachesAnMtlsBackendThroughWatcherCompilerAndProxy(@TempDir Path dir) throws Exception {
        TestCerts.Cert ca = TestCerts.ca("bench-backend-ca");
        TestCerts.Cert client = TestCerts.issuedBy(ca, "signalbox-proxy.bench");
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        // The Service's cluster DNS name, the server name Signalbox verifies by default.
        try (EchoBackend backend = EchoBackend.startMutualTls("mtls", TestCerts.issuedBy(ca, "secure.bench.svc"),
                ca.cert())) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("backend.yaml"), MANIFESTS.service("secure", ServicePort.HTTPS,
                    List.of(Endpoint.loopback(backend.port()))));
            Files.writeString(manifests.resolve("secrets.yaml"), Manifests.documents(
                    MANIFESTS.tlsSecret("backend-client", client.certPem(), client.keyPem(), ca.certPem()),
                    MANIFESTS.tlsSecret("backend-ca-only", "", "", ca.certPem())));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("mtls", "mtls.local")
                            .annotation("signalbox.dev/backend-protocol", "HTTPS")
                            .annotation("signalbox.dev/backend-tls-secret", "backend-client").yaml(),
                    ingress("nocert", "nocert.local")
                            .annotation("nginx.ingress.kubernetes.io/backend-protocol", "HTTPS")
                            .annotation("nginx.ingress.kubernetes.io/proxy-ssl-secret", "bench/backend-ca-only")
                            .annotation("nginx.ingress.kubernetes.io/proxy-ssl-verify", "on")
                            .annotation("nginx.ingress.kubernetes.io/proxy-ssl-name", "secure.bench.svc").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode proxy = local.proxies().get(0);
                HttpResponse<String> ok = Await.value("mtls.local to be routed", WAIT,
                        () -> Http.tryGet(proxy.httpPort(), "mtls.local", "/hello"), r -> r != null && r.statusCode() != 404);
                assertEquals(200, ok.statusCode(), ok.body());
                assertTrue(ok.body().contains("client-subject: CN=signalbox-proxy.bench\n"), ok.body());
                assertTrue(ok.body().contains("uri: /hello\n"), ok.body());

                HttpResponse<String> refused = Await.value("nocert.local to be routed", WAIT,
                        () -> Http.tryGet(proxy.httpPort(), "nocert.local", "/"), r -> r != null && r.statusCode() != 404);
                assertEquals(502, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("failed: the backend asked for a client certificate, none is "
                        + "configured") || refused.body().contains("certificate_required"), refused.body());
            }
        }
    }

    /** An Ingress of our class routing host/ to Service "secure"'s port "https". */
    private static Manifests.Ingress ingress(String name, String host) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).port(ServicePort.HTTPS)
                .rule(new Rule(host, Manifests.prefix("/", "secure")));
    }
}
