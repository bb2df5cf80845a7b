package dev.signalbox.e2e.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.TestCerts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates as a user writes them for ingress-nginx, through the whole local pipeline (manifests watcher,
 * compiler, proxy): an Ingress with auth-tls-secret and auth-tls-pass-certificate-to-upstream lets a certificate
 * its CA issued through with the ssl-client-* fields, and answers 400 to an expired one, another CA's and none;
 * changed to optional_no_ca, the unverified certificate is passed on as FAILED; to optional, no certificate is let
 * in as NONE and an unverified one is 400; to off, no certificate is asked for; an Ingress whose CA Secret is
 * missing gets a diagnostic and its host refuses TLS, while the other host is served.
 */
class ClientCertificatesIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NGINX = "nginx.ingress.kubernetes.io/";

    private static final TestCerts.Cert SERVER_CA = TestCerts.ca("servers");
    private static final TestCerts.Cert CLIENT_CA = TestCerts.ca("clients");
    private static final TestCerts.Cert GOOD = TestCerts.issuedBy(CLIENT_CA, "alice");
    private static final TestCerts.Cert EXPIRED = TestCerts.issuedBy(CLIENT_CA, Instant.now().minus(Duration.ofDays(9)),
            Instant.now().minus(Duration.ofDays(2)), "old");
    private static final TestCerts.Cert UNKNOWN = TestCerts.issuedBy(TestCerts.ca("strangers"), "mallory");

    @Test
    void anIngressRequiringClientCertificatesAsAUserEditsIt(@TempDir Path dir) throws Exception {
        Path m = Files.createDirectories(dir.resolve("manifests"));
        TestCerts.Cert secure = TestCerts.issuedBy(SERVER_CA, "secure.local");
        TestCerts.Cert broken = TestCerts.issuedBy(SERVER_CA, "broken.local");
        try (EchoBackend backend = EchoBackend.start("mtls")) {
            Files.writeString(m.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(m.resolve("svc.yaml"), MANIFESTS.service("svc", backend.port()));
            // The CA goes into a kubernetes.io/tls Secret (its tls.crt and tls.key are not used here).
            Files.writeString(m.resolve("ca.yaml"), MANIFESTS.tlsSecret("client-ca", secure.certPem(), secure.keyPem(),
                    CLIENT_CA.certPem()));
            Files.writeString(m.resolve("secure.yaml"), secure(secure, "on"));
            Files.writeString(m.resolve("broken.yaml"), MANIFESTS.tlsSecret("broken-tls", broken.certPem(),
                    broken.keyPem(), null) + "---\n" + MANIFESTS.ingress("broken").tls("broken.local", "broken-tls")
                    .annotation(NGINX + "auth-tls-secret", "bench/gone")
                    .rule(new Manifests.Rule("broken.local", List.of(Manifests.prefix("/", "svc")))).yaml());
            LocalConfig config = LocalConfig.onFreePorts(m, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode p = local.proxies().get(0);
                Await.value("secure.local to require client certificates", WAIT, () -> answer(p, null, "secure.local"),
                        a -> a.startsWith("400"));
                String good = answer(p, GOOD, "secure.local");
                assertTrue(good.startsWith("200"), good);
                assertTrue(good.contains("header-ssl-client-verify: SUCCESS\n"), good);
                assertTrue(good.contains("header-ssl-client-subject-dn: CN=alice\n"), good);
                assertTrue(good.contains("header-ssl-client-issuer-dn: CN=clients\n"), good);
                assertTrue(good.contains("header-ssl-client-cert: -----BEGIN%20CERTIFICATE-----%0A"), good);
                assertEquals(List.of("400 The SSL certificate error (certificate has expired)",
                                "400 The SSL certificate error (unable to get local issuer certificate)",
                                "400 No required SSL certificate was sent"),
                        List.of(answer(p, EXPIRED, "secure.local"), answer(p, UNKNOWN, "secure.local"),
                                answer(p, null, "secure.local")));

                String routes = Http.get(p.adminPort(), null, "/routes").body();
                assertTrue(routes.contains("client certificates: CA secret bench/gone does not exist (or is not of type "
                        + "kubernetes.io/tls); its TLS hosts refuse connections"), routes);
                assertEquals("refused", answer(p, GOOD, "broken.local"));

                Files.writeString(m.resolve("secure.yaml"), secure(secure, "optional_no_ca"));
                Await.value("an unverified certificate passed on once optional_no_ca", WAIT,
                        () -> answer(p, UNKNOWN, "secure.local"),
                        a -> a.contains("header-ssl-client-verify: FAILED:unable to get local issuer certificate\n"));

                Files.writeString(m.resolve("secure.yaml"), secure(secure, "optional"));
                Await.value("an unverified certificate refused again once optional", WAIT,
                        () -> answer(p, UNKNOWN, "secure.local"),
                        a -> a.equals("400 The SSL certificate error (unable to get local issuer certificate)"));
                String optionalNone = answer(p, null, "secure.local");
                assertTrue(optionalNone.contains("header-ssl-client-verify: NONE\n"), optionalNone);
                String optionalGood = answer(p, GOOD, "secure.local");
                assertTrue(optionalGood.contains("header-ssl-client-verify: SUCCESS\n"), optionalGood);

                Files.writeString(m.resolve("secure.yaml"), secure(secure, "off"));
                Await.value("an unknown CA's certificate not even asked for once off", WAIT,
                        () -> answer(p, UNKNOWN, "secure.local"), a -> a.contains("header-ssl-client-verify: NONE\n"));
                String offGood = answer(p, GOOD, "secure.local");
                assertTrue(offGood.contains("header-ssl-client-verify: NONE\n") && !offGood.contains("ssl-client-cert"),
                        offGood);
            }
        }
    }

    private static String secure(TestCerts.Cert server, String verify) {
        return MANIFESTS.tlsSecret("secure-tls", server.certPem(), server.keyPem(), null) + "---\n"
                + MANIFESTS.ingress("secure").tls("secure.local", "secure-tls")
                .annotation(NGINX + "auth-tls-secret", "bench/client-ca")
                .annotation(NGINX + "auth-tls-verify-client", verify)
                .annotation(NGINX + "auth-tls-pass-certificate-to-upstream", "true")
                .rule(new Manifests.Rule("secure.local", List.of(Manifests.prefix("/", "svc")))).yaml();
    }

    /** "status body" of a GET / over TLS for {@code host}, presenting {@code client}; "refused" without a handshake. */
    private static String answer(ProxyNode p, TestCerts.Cert client, String host) {
        try (SSLSocket s = (SSLSocket) TestCerts.presenting(client, SERVER_CA.cert()).getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", p.httpsPort()), 5000);
            s.setSoTimeout(10_000);
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(host)));
            params.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(params);
            try {
                s.startHandshake();
            } catch (IOException e) {
                return "refused";
            }
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Message r = RawHttp.readResponse(s.getInputStream(), false);
            return r.status() + " " + r.bodyText().trim() + (r.status() == 200 ? "\n" : "");
        } catch (IOException e) {
            return "failed: " + e;
        }
    }
}
