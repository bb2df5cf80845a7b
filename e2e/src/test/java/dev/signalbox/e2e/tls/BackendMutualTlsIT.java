package dev.signalbox.e2e.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.manifests.Manifests;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend mTLS end to end: manifests (a backend that speaks only HTTPS and requires a client certificate
 * issued by a CA, a kubernetes.io/tls Secret holding that CA and a client certificate, Ingresses with the
 * backend TLS annotations) go through the watcher (which seals the client key), the compiler and a proxy,
 * and a plain-HTTP request reaches the backend over mTLS; an Ingress whose Secret holds only the CA gets 502.
 */
class BackendMutualTlsIT {
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
            Files.writeString(manifests.resolve("backend.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: secure
                      namespace: bench
                    spec:
                      ports:
                      - name: https
                        port: 443
                        targetPort: https
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: secure-1
                      namespace: bench
                      labels:
                        kubernetes.io/service-name: secure
                    addressType: IPv4
                    ports:
                    - name: https
                      port: %d
                    endpoints:
                    - addresses: ["127.0.0.1"]
                      conditions:
                        ready: true
                    """.formatted(backend.port()));
            Files.writeString(manifests.resolve("secrets.yaml"), secret("backend-client", ca.certPem(), client.certPem(),
                    client.keyPem()) + "---\n" + secret("backend-ca-only", ca.certPem(), "", ""));
            Files.writeString(manifests.resolve("ingresses.yaml"), ingress("mtls", "mtls.local", """
                        signalbox.dev/backend-protocol: "HTTPS"
                        signalbox.dev/backend-tls-secret: backend-client
                    """) + "---\n" + ingress("nocert", "nocert.local", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-secret: bench/backend-ca-only
                        nginx.ingress.kubernetes.io/proxy-ssl-verify: "on"
                        nginx.ingress.kubernetes.io/proxy-ssl-name: secure.bench.svc
                    """));
            LocalConfig config = new LocalConfig(manifests, "127.0.0.1", new LocalConfig.Ports(0, 0, 0), 1,
                    dir.resolve("data"), 0, "local", false);
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

    private static String secret(String name, String ca, String cert, String key) {
        return Manifests.tlsSecret(name, cert, key, ca);
    }

    private static String ingress(String name, String host, String annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: bench
                  annotations:
                %s
                spec:
                  ingressClassName: signalbox
                  rules:
                  - host: %s
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: secure
                            port:
                              name: https
                """.formatted(name, annotations.stripTrailing(), host);
    }
}
