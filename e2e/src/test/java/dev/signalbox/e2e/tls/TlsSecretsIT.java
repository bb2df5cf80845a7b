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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS Secrets through the whole local pipeline (manifests watcher, compiler, proxy), as a user edits them:
 * a host whose Secret is missing gets a diagnostic and the default certificate while another host keeps its
 * own; creating the Secret serves it; replacing the Secret's certificate is served to new handshakes with
 * no restart; a certificate that does not name the host is a diagnostic and the default certificate.
 */
class TlsSecretsIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DEFAULT_SUBJECT = "CN=signalbox-default.invalid";

    @Test
    void missingCreatedRotatedAndMismatchedSecretsAsAUserEditsThem(@TempDir Path dir) throws Exception {
        TestCerts.Cert good = TestCerts.selfSigned("good.local");
        TestCerts.Cert late = TestCerts.selfSigned("late.local");
        Path m = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend backend = EchoBackend.start("tls")) {
            Files.writeString(m.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(m.resolve("svc.yaml"), MANIFESTS.service("svc", backend.port()));
            Files.writeString(m.resolve("good.yaml"), secret("good-tls", good) + "---\n" + ingress("good", "good.local", "good-tls"));
            Files.writeString(m.resolve("late.yaml"), ingress("late", "late.local", "late-tls"));
            LocalConfig config = LocalConfig.onFreePorts(m, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode p = local.proxies().get(0);
                Await.value("good.local served with its certificate", WAIT, () -> presented(p, "good.local"),
                        c -> good.cert().equals(c));
                assertEquals(DEFAULT_SUBJECT, presented(p, "late.local").getSubjectX500Principal().getName());
                String routes = Http.get(p.adminPort(), null, "/routes").body();
                assertTrue(routes.contains("TLS secret bench/late-tls does not exist (or is not of type kubernetes.io/tls);"
                        + " [late.local] served with the default certificate"), routes);
                // Plain HTTP for a TLS host is redirected, the missing Secret notwithstanding.
                assertEquals(308, Http.get(p.httpPort(), "late.local", "/").statusCode());

                Files.writeString(m.resolve("late-secret.yaml"), secret("late-tls", late));
                Await.value("late.local served once its Secret exists", WAIT, () -> presented(p, "late.local"),
                        c -> late.cert().equals(c));

                TestCerts.Cert rotated = TestCerts.selfSigned("good.local");
                Files.writeString(m.resolve("good.yaml"), secret("good-tls", rotated) + "---\n"
                        + ingress("good", "good.local", "good-tls"));
                Await.value("good.local served with the rotated certificate", WAIT, () -> presented(p, "good.local"),
                        c -> rotated.cert().equals(c));

                TestCerts.Cert other = TestCerts.selfSigned("other.example");
                Files.writeString(m.resolve("late-secret.yaml"), secret("late-tls", other));
                Await.value("a certificate that does not name late.local is a diagnostic", WAIT,
                        () -> Http.get(p.adminPort(), null, "/routes").body(),
                        b -> b.contains("TLS secret bench/late-tls: the certificate does not cover host late.local"
                                + " (it names [other.example]); served with the default certificate"));
                assertEquals(DEFAULT_SUBJECT, presented(p, "late.local").getSubjectX500Principal().getName());
                assertEquals(rotated.cert(), presented(p, "good.local"));
            }
        }
    }

    private static String ingress(String name, String host, String secret) {
        return MANIFESTS.tlsIngress(name, host, secret, "svc");
    }

    private static String secret(String name, TestCerts.Cert cert) {
        return MANIFESTS.tlsSecret(name, cert.certPem(), cert.keyPem(), null);
    }

    /** The certificate the proxy presents for SNI {@code host} (trusting anything), or null if no handshake. */
    private static X509Certificate presented(ProxyNode p, String host) {
        return TestCerts.presented(TestCerts.trustingAll(), p.httpsPort(), host);
    }
}
