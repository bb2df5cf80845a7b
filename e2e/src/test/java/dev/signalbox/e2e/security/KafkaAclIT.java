package dev.signalbox.e2e.security;

import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.e2e.chaos.IngressProcess;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.Ports;
import dev.signalbox.testing.TestCerts;
import java.io.OutputStream;
import java.io.Writer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege in Kafka (docs/kafka-security.md): the embedded broker with a SASL_SSL listener (SCRAM-SHA-512,
 * PLAIN and OAUTHBEARER, the broker's certificate from a test CA) and an SSL listener that requires a client certificate, and KRaft's
 * {@code StandardAuthorizer}. One SCRAM principal per component with exactly the ACLs the document lists; the set-up
 * (topics, credentials, ACLs) runs as the super user {@code User:ANONYMOUS} on the loopback PLAINTEXT listener, which
 * the broker and its controller use too. The watcher, the compiler and a proxy run as {@code bin/ingress} processes,
 * each with its own {@code --kafka-config} (the proxy's password from {@code SIGNALBOX_KAFKA_SASL_JAAS_CONFIG}), and a
 * request goes through the proxy to a backend; then the proxy's principal is refused a snapshot write. PLAIN over a
 * PEM CA, OAUTHBEARER (Kafka's unsecured tokens) and mutual TLS with PKCS12 stores read the snapshots as well.
 */
class KafkaAclIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String CLUSTER = "acl";
    private static final Manifests APPS = new Manifests("apps");
    /** The components' output, kept after the run. */
    private static final Path LOGS = Path.of("target", "kafka-acl-logs");

    /** An ACL: a principal may do these operations on one resource (literal name). */
    record Grant(String principal, ResourceType type, String name, List<AclOperation> operations) {
    }

    /**
     * Exactly what docs/kafka-security.md lists. READ and WRITE imply DESCRIBE; DESCRIBE_CONFIGS lets each component's
     * start-up check its topics' settings (without it the check is skipped with a warning).
     */
    static final List<Grant> COMPONENT_ACLS = List.of(
            new Grant("User:watcher", TOPIC, Topics.EVENTS, List.of(WRITE, READ, DESCRIBE_CONFIGS)),
            new Grant("User:watcher", TOPIC, Topics.SNAPSHOTS, List.of(READ, DESCRIBE_CONFIGS)),
            new Grant("User:watcher", TRANSACTIONAL_ID, "signalbox-watcher-" + CLUSTER, List.of(WRITE)),
            new Grant("User:compiler", TOPIC, Topics.EVENTS, List.of(READ, DESCRIBE_CONFIGS)),
            new Grant("User:compiler", TOPIC, Topics.SNAPSHOTS, List.of(READ, WRITE, DESCRIBE_CONFIGS)),
            new Grant("User:compiler", TOPIC, Topics.COMPILER_MODEL, List.of(READ, WRITE, DESCRIBE_CONFIGS)),
            new Grant("User:compiler", TOPIC, Topics.COMPILER_LEASE, List.of(READ, WRITE, DESCRIBE_CONFIGS)),
            new Grant("User:compiler", TOPIC, Topics.PROXY_ACKS, List.of(DESCRIBE, DESCRIBE_CONFIGS)),
            new Grant("User:compiler", GROUP, "signalbox-compiler", List.of(READ)),
            new Grant("User:compiler", TRANSACTIONAL_ID, "signalbox-compiler", List.of(WRITE)),
            new Grant("User:proxy", TOPIC, Topics.SNAPSHOTS, List.of(READ, DESCRIBE_CONFIGS)),
            new Grant("User:proxy", TOPIC, Topics.PROXY_ACKS, List.of(WRITE, DESCRIBE_CONFIGS)));

    /** The PLAIN, OAUTHBEARER and mutual-TLS principals only read the snapshots (as `bin/ingress show` would). */
    static final List<Grant> READER_ACLS = List.of(
            new Grant("User:plainreader", TOPIC, Topics.SNAPSHOTS, List.of(READ)),
            new Grant("User:oauthreader", TOPIC, Topics.SNAPSHOTS, List.of(READ)),
            new Grant("User:CN=mtls-reader", TOPIC, Topics.SNAPSHOTS, List.of(READ)));

    @TempDir
    Path dir;

    @Test
    void eachComponentRunsAsItsOwnPrincipalWithOnlyItsAclsAndAProxyCannotWriteASnapshot() throws Exception {
        TestCerts.Cert ca = TestCerts.ca("signalbox-test-kafka-ca");
        TestCerts.Cert brokerCert = TestCerts.issuedBy(ca, "127.0.0.1");
        TestCerts.Cert clientCert = TestCerts.issuedBy(ca, "mtls-reader");
        List<Process> processes = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(List.of(new EmbeddedKafka.Listener("SASL_SSL", "SASL_SSL"),
                new EmbeddedKafka.Listener("SSL", "SSL")), brokerSettings(ca, brokerCert));
             EchoBackend backend = EchoBackend.start("acl-backend")) {
            String sasl = kafka.bootstrapServers("SASL_SSL");
            setUp(kafka.bootstrapServers());
            Map<String, String> tls = Map.of("ssl.truststore.type", "PEM", "ssl.truststore.certificates", ca.certPem());
            Map<String, String> watcher = scram("watcher", tls);
            Map<String, String> compiler = scram("compiler", tls);
            Map<String, String> proxy = scram("proxy", tls);
            // Credentials and ACLs reach the broker's metadata a moment after the calls return.
            Await.until("the components' credentials and ACLs in force", WAIT, () -> canDescribe(sasl, watcher, Topics.EVENTS)
                    && canDescribe(sasl, compiler, Topics.EVENTS) && canDescribe(sasl, proxy, Topics.SNAPSHOTS));

            Path logs = Files.createDirectories(LOGS);
            Path manifests = Files.createDirectories(dir.resolve("manifests"));
            Files.writeString(manifests.resolve("apps.yaml"), Manifests.documents(Manifests.ingressClass(),
                    APPS.service("web", backend.port()), APPS.ingress("web", "acl.test", "/", "web")));
            processes.add(IngressProcess.start("256m", logs.resolve("watcher.log"), "watcher", "--kafka", sasl,
                    "--kafka-config", clientConfig("watcher", watcher).toString(), "--cluster-id", CLUSTER,
                    "--manifests", manifests.toString(), "--no-create-topics"));
            processes.add(IngressProcess.start("256m", logs.resolve("compiler.log"), "compiler", "--kafka", sasl,
                    "--kafka-config", clientConfig("compiler", compiler).toString(), "--no-create-topics"));
            // The proxy's file holds no password: the JAAS line comes from the environment, as from a Kubernetes Secret.
            Map<String, String> proxyFile = new TreeMap<>(proxy);
            String proxyJaas = proxyFile.remove("sasl.jaas.config");
            int httpPort = Ports.free();
            processes.add(IngressProcess.start("256m", logs.resolve("proxy.log"), Map.of("SIGNALBOX_KAFKA_SASL_JAAS_CONFIG", proxyJaas),
                    "proxy", "--kafka", sasl, "--kafka-config", clientConfig("proxy", proxyFile).toString(),
                    "--http-port", String.valueOf(httpPort), "--admin-port", String.valueOf(Ports.free()),
                    "--https-port", String.valueOf(Ports.free()), "--node-id", "acl-proxy", "--bind", "127.0.0.1",
                    "--cluster-id", CLUSTER, "--no-create-topics"));

            HttpResponse<String> served = Await.value("acl.test served through watcher, compiler and proxy", WAIT,
                    () -> alive(processes) ? Http.tryGet(httpPort, "acl.test", "/") : null,
                    r -> r != null && r.statusCode() == 200);
            assertTrue(served.body().contains("acl-backend"), served.body());

            // The proxy's principal may read snapshots but not write one: neither as a plain producer ...
            KafkaConnection asProxy = new KafkaConnection(sasl, proxy);
            Throwable refused;
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(asProxy.properties(Map.of("max.block.ms", "20000",
                    "client.id", "acl-test-proxy-principal")), new StringSerializer(), new ByteArraySerializer())) {
                refused = failure(() -> p.send(new ProducerRecord<>(Topics.SNAPSHOTS, "9999999999", new byte[1]))
                        .get(30, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, refused, "a proxy writing a snapshot: " + refused);
            }
            // ... nor by taking the compiler's transactional id.
            Throwable posing = failure(() -> {
                try (SnapshotWriter.Publisher ignored = SnapshotWriter.publisher(asProxy, "signalbox-compiler", 512 * 1024)) {
                    return null;
                }
            });
            assertInstanceOf(TransactionalIdAuthorizationException.class, posing, "a proxy as the compiler: " + posing);

            // PLAIN with a PEM CA, and mutual TLS with PKCS12 stores, read the same snapshots.
            Map<String, String> plain = new TreeMap<>(tls);
            plain.putAll(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"plainreader\""
                            + " password=\"plainreader-secret\";"));
            assertTrue(latestVersion(sasl, plain) >= 1, "SASL PLAIN reads the snapshots");
            // OAUTHBEARER passed through as the user wrote it: Kafka's unsecured JWS (no identity provider here), whose
            // subject is the principal; a real deployment sets its token endpoint and callback handler the same way.
            Map<String, String> oauth = new TreeMap<>(tls);
            oauth.putAll(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER", "sasl.jaas.config",
                    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required"
                            + " unsecuredLoginStringClaim_sub=\"oauthreader\";"));
            assertTrue(latestVersion(sasl, oauth) >= 1, "SASL OAUTHBEARER reads the snapshots");
            assertTrue(latestVersion(kafka.bootstrapServers("SSL"), mutualTls(ca, clientCert)) >= 1,
                    "mutual TLS reads the snapshots");
            System.out.printf("kafka-acl: acl.test served through SASL_SSL/SCRAM-SHA-512 with the %d grants; the proxy's"
                    + " principal refused: %s, %s%n", COMPONENT_ACLS.size(), refused, posing);
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static boolean alive(List<Process> processes) {
        for (Process p : processes) {
            if (!p.isAlive()) {
                throw new AssertionError("a bin/ingress process exited with " + p.exitValue() + " (its log is in " + LOGS + ")");
            }
        }
        return true;
    }

    private static Map<String, String> brokerSettings(TestCerts.Cert ca, TestCerts.Cert broker) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // The PLAINTEXT listener's principal: the broker itself, its controller and this test's set-up.
        s.put("super.users", "User:ANONYMOUS");
        s.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN,OAUTHBEARER");
        // Kafka's unsecured OAUTHBEARER validator (the broker's default without a JWKS endpoint): tokens are not signed.
        s.put("listener.name.sasl_ssl.oauthbearer.sasl.jaas.config",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
        s.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        s.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_plainreader=\"plainreader-secret\";");
        for (String listener : List.of("sasl_ssl", "ssl")) {
            s.put("listener.name." + listener + ".ssl.keystore.type", "PEM");
            s.put("listener.name." + listener + ".ssl.keystore.certificate.chain", broker.certPem());
            s.put("listener.name." + listener + ".ssl.keystore.key", broker.keyPem());
        }
        s.put("listener.name.ssl.ssl.client.auth", "required");
        s.put("listener.name.ssl.ssl.truststore.type", "PEM");
        s.put("listener.name.ssl.ssl.truststore.certificates", ca.certPem());
        return s;
    }

    /** As the super user: the topics, a SCRAM-SHA-512 credential per component, and the ACLs. */
    private static void setUp(String plaintext) throws Exception {
        TopicAdmin.ensureTopics(plaintext, 3, (short) 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", plaintext))) {
            admin.alterUserScramCredentials(List.of("watcher", "compiler", "proxy").stream()
                    .map(u -> (org.apache.kafka.clients.admin.UserScramCredentialAlteration) new UserScramCredentialUpsertion(u,
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), u + "-secret"))
                    .toList()).all().get(30, TimeUnit.SECONDS);
            List<AclBinding> bindings = new ArrayList<>();
            for (List<Grant> grants : List.of(COMPONENT_ACLS, READER_ACLS)) {
                for (Grant g : grants) {
                    for (AclOperation op : g.operations()) {
                        bindings.add(new AclBinding(new ResourcePattern(g.type(), g.name(), PatternType.LITERAL),
                                new AccessControlEntry(g.principal(), "*", op, AclPermissionType.ALLOW)));
                    }
                }
            }
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> scram(String user, Map<String, String> tls) {
        Map<String, String> m = new TreeMap<>(tls);
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", "SCRAM-SHA-512");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + user + "-secret\";");
        return m;
    }

    /** Mutual TLS with a PKCS12 truststore (the CA) and keystore (the client's certificate and key) on disk. */
    private Map<String, String> mutualTls(TestCerts.Cert ca, TestCerts.Cert client) throws Exception {
        char[] password = "store-secret".toCharArray();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.cert());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", client.keys().getPrivate(), password, new Certificate[] {client.cert(), ca.cert()});
        Path truststore = dir.resolve("truststore.p12");
        Path keystore = dir.resolve("keystore.p12");
        try (OutputStream out = Files.newOutputStream(truststore)) {
            trust.store(out, password);
        }
        try (OutputStream out = Files.newOutputStream(keystore)) {
            keys.store(out, password);
        }
        return Map.of("security.protocol", "SSL", "ssl.truststore.type", "PKCS12", "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.password", "store-secret", "ssl.keystore.type", "PKCS12", "ssl.keystore.location",
                keystore.toString(), "ssl.keystore.password", "store-secret", "ssl.key.password", "store-secret");
    }

    /** A component's --kafka-config file, written as a Java properties file (multi-line PEM escaped). */
    private Path clientConfig(String component, Map<String, String> settings) throws Exception {
        Properties p = new Properties();
        p.putAll(settings);
        Path file = dir.resolve(component + "-kafka.properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, component + "'s Kafka client settings");
        }
        return file;
    }

    private static boolean canDescribe(String bootstrap, Map<String, String> settings, String topic) {
        try (Admin admin = Admin.create(new KafkaConnection(bootstrap, settings).properties(Map.of()))) {
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static long latestVersion(String bootstrap, Map<String, String> settings) {
        try (SnapshotLog log = SnapshotLog.connect(new KafkaConnection(bootstrap, settings), "acl-test-reader")) {
            return log.latest(Duration.ofSeconds(30)).orElseThrow().version();
        }
    }

    private interface Call {
        Object call() throws Exception;
    }

    /** The root-most Kafka exception a call failed with (a future's ExecutionException unwrapped). */
    private static Throwable failure(Call call) {
        try {
            call.call();
        } catch (Exception e) {
            Throwable t = e;
            while ((t instanceof java.util.concurrent.ExecutionException || t instanceof org.apache.kafka.common.KafkaException
                    && !(t instanceof org.apache.kafka.common.errors.ApiException)) && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        }
        throw new AssertionError("the call succeeded");
    }
}
