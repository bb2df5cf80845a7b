package dev.signalbox.e2e.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.Topics;
import dev.signalbox.kafka.TopicDump;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.TestCerts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private keys never travel through Kafka in clear: a TLS Secret goes through the whole local pipeline
 * (watcher seals, compiler copies, proxy opens and serves the certificate over HTTPS), then every record of
 * every topic (read uncommitted, so aborted writes count too) and every file of the broker's log directory
 * is searched for the key: its PEM text, its base64 body and its DER bytes. The certificate, which is
 * public and travels in clear, is searched the same way and must be found: the search can see.
 */
class KeyMaterialIT {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void noPrivateKeyBytesInAnyTopicOrLogFileWhileTheHostIsServedOverHttps(@TempDir Path dir) throws Exception {
        TestCerts.Cert cert = TestCerts.selfSigned("secure.local");
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (EchoBackend backend = EchoBackend.start("secure")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("svc.yaml"), MANIFESTS.service("svc", backend.port()));
            Files.writeString(manifests.resolve("secure.yaml"), MANIFESTS.tlsSecret("secure-tls", cert.certPem(),
                    cert.keyPem(), null) + "---\n" + MANIFESTS.tlsIngress("secure", "secure.local", "secure-tls", "svc"));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode proxy = local.proxies().get(0);
                X509Certificate served = Await.value("the proxy presents the Secret's certificate for secure.local", WAIT,
                        () -> presented(proxy.httpsPort(), "secure.local", cert.cert()), c -> c != null);
                assertEquals(cert.cert(), served);

                byte[] der = cert.keys().getPrivate().getEncoded();
                List<byte[]> keyNeedles = new ArrayList<>(List.of("PRIVATE KEY".getBytes(StandardCharsets.US_ASCII), der,
                        Base64.getEncoder().encode(der)));
                cert.keyPem().lines().filter(l -> !l.startsWith("-----"))
                        .forEach(l -> keyNeedles.add(l.getBytes(StandardCharsets.US_ASCII)));
                byte[] certNeedle = Base64.getEncoder().encode(cert.cert().getEncoded()).clone();
                byte[] certLine = cert.certPem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow()
                        .getBytes(StandardCharsets.US_ASCII);

                List<String> found = new ArrayList<>();
                int certSeen = 0;
                int records = 0;
                for (String topic : List.of(Topics.EVENTS, Topics.SNAPSHOTS, Topics.COMPILER_MODEL)) {
                    for (ConsumerRecord<byte[], byte[]> r : TopicDump.readAll(local.bootstrapServers(), topic)) {
                        records++;
                        List<byte[]> parts = new ArrayList<>();
                        parts.add(r.key());
                        parts.add(r.value());
                        for (Header h : r.headers()) {
                            parts.add(h.value());
                        }
                        for (byte[] part : parts) {
                            for (byte[] needle : keyNeedles) {
                                if (contains(part, needle)) {
                                    found.add(topic + "@" + r.offset() + " holds " + describe(needle));
                                }
                            }
                            if (contains(part, certLine)) {
                                certSeen++;
                            }
                        }
                    }
                }
                int filesWithCert = 0;
                int files = 0;
                try (Stream<Path> all = Files.walk(dir.resolve("data").resolve("kafka"))) {
                    for (Path f : all.filter(Files::isRegularFile).toList()) {
                        files++;
                        byte[] bytes = Files.readAllBytes(f);
                        for (byte[] needle : keyNeedles) {
                            if (contains(bytes, needle)) {
                                found.add(f + " holds " + describe(needle));
                            }
                        }
                        if (contains(bytes, certLine) || contains(bytes, certNeedle)) {
                            filesWithCert++;
                        }
                    }
                }
                System.out.printf("key material audit: %d records in 3 topics and %d broker files searched for %d "
                        + "needles of the private key: %d found; the certificate (control) seen in %d record parts "
                        + "and %d files%n", records, files, keyNeedles.size(), found.size(), certSeen, filesWithCert);
                assertEquals(List.of(), found);
                assertTrue(certSeen >= 2, "the certificate should be in the events and snapshots: the search sees");
                assertTrue(filesWithCert >= 1, "the events log file should hold the certificate: the search sees");
            }
        }
    }

    /** The certificate the proxy presents for {@code host}, trusting only {@code expected}; null if not yet. */
    private static X509Certificate presented(int port, String host, X509Certificate expected) {
        // Null while it is still the default certificate (not trusted), or the port does not listen yet.
        return TestCerts.presented(TestCerts.trustingOnly(expected), port, host);
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        if (hay == null || needle.length == 0) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String describe(byte[] needle) {
        return needle.length + " bytes of the key (" + HexFormat.of().formatHex(needle, 0, Math.min(8, needle.length)) + "...)";
    }
}
