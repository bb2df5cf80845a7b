package dev.signalbox.launcher.cds;

import dev.signalbox.launcher.Launcher;
import dev.signalbox.launcher.bench.Probe;
import dev.signalbox.launcher.local.DemoBackend;
import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.local.TempDirs;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.proxy.tls.DefaultCertificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The training run behind the two class-data-sharing archives the build leaves in {@code launcher/target}: the
 * whole local pipeline on free ports, and a {@code bin/ingress proxy} process joining it. Each proxy gets one
 * HTTP request (redirected), one HTTPS request (SNI, a certificate from a TLS Secret, proxied to a backend)
 * and a look at its admin endpoints. The proxy process runs with {@code -XX:ArchiveClassesAtExit} and exits
 * on SIGTERM like any proxy: its archive holds what a new proxy loads before serving. The build runs this
 * JVM the same way, for the archive of every other command ({@code local}, {@code watcher}, ...).
 * {@code bin/ingress} starts each process with its archive (see proxy-node/DESIGN.md, "Start-up"). Everything happens
 * in a temporary directory on ephemeral ports, so a running {@code bin/ingress local} is not disturbed; any
 * failure fails the build rather than leaving a silently colder start. It uses what ships (the proxy's own
 * certificate generator, the launcher's probe and demo backend), not the tests' fixtures.
 */
public final class CdsTraining {
    private static final Manifests MANIFESTS = new Manifests("bench");
    private static final String HOST = "training.local";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private CdsTraining() {
    }

    /** The training certificate: its PEM texts and the parsed certificate a client pins. */
    private record Cert(DefaultCertificate.Pem pem, X509Certificate cert) {
        static Cert generate() throws GeneralSecurityException {
            DefaultCertificate.Pem pem = DefaultCertificate.generate(HOST, Instant.now(), new SecureRandom());
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(pem.certificate().getBytes(StandardCharsets.US_ASCII)));
            return new Cert(pem, cert);
        }
    }

    /** {@code cds-training --proxy-archive FILE}. */
    public static void run(Path proxyArchive) throws Exception {
        run(proxyArchive, bootstrap -> { });
    }

    /**
     * The training run; {@code questions} is also run against the pipeline's Kafka (the audit commands, so that
     * their classes are in the archive too and a question starts as warm as the components).
     */
    public static void run(Path proxyArchive, java.util.function.Consumer<String> questions) throws Exception {
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("signalbox-cds-training");
        try (DemoBackend echo = DemoBackend.start("training", 0)) {
            Path manifests = Files.createDirectories(dir.resolve("manifests"));
            Cert cert = Cert.generate();
            Files.writeString(manifests.resolve("training.yaml"), manifests(echo.port(), cert));
            LocalConfig config = new LocalConfig(manifests, "127.0.0.1", new LocalConfig.Ports(0, 0, 0), 1,
                    dir.resolve("data"), 0, "cds-training", false);
            try (LocalMode mode = LocalMode.start(config)) {
                ProxyNode inProcess = mode.proxies().get(0);
                exercise(inProcess.httpPort(), inProcess.httpsPort(), inProcess.adminPort(), cert);
                trainProxyProcess(proxyArchive, mode.bootstrapServers(), config.dataDir().resolve("encryption-keys"),
                        cert, dir);
                questions.accept(mode.bootstrapServers());
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
        System.out.println("signalbox: class-data-sharing training run done in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms; the proxy's archive is " + proxyArchive);
    }

    /** One redirected HTTP request, one proxied HTTPS request and the admin endpoints. */
    private static void exercise(int http, int https, int admin, Cert cert) throws InterruptedException {
        // A host with TLS redirects plain HTTP to HTTPS (as ingress-nginx's ssl-redirect does).
        awaitStatus("HTTP through the proxy", 308, () -> status(http, HOST, "/train"));
        awaitStatus("HTTPS through the proxy", 200, () -> httpsStatus(https, cert));
        for (String path : List.of("/readyz", "/metrics", "/routes")) {
            awaitStatus("admin " + path, 200, () -> status(admin, "127.0.0.1", path));
        }
    }

    /** Asks every 20 ms until {@code probe} gives {@code status}; fails the training after {@link #WAIT}. */
    private static void awaitStatus(String what, int status, IntSupplier probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int got = probe.getAsInt(); got != status; got = probe.getAsInt()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("class-data-sharing training: " + what + " answered " + got
                        + ", not " + status + ", for " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** One GET on a new connection; -1 while nothing answers. */
    private static int status(int port, String host, String path) {
        try (Probe probe = new Probe(port)) {
            return probe.status(host, path);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * {@code Launcher proxy} in its own JVM, on this JVM's class path (the packaged one bin/ingress uses),
     * dumping its loaded classes to {@code archive} when SIGTERM ends it.
     */
    private static void trainProxyProcess(Path archive, String bootstrap, Path keys, Cert cert, Path dir)
            throws Exception {
        Files.deleteIfExists(archive);
        int http = freePort();
        int https = freePort();
        int admin = freePort();
        Path log = dir.resolve("proxy.log");
        Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath(), "-Xlog:cds=off", "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                Launcher.class.getName(), "proxy", "--kafka", bootstrap, "--bind", "127.0.0.1", "--node-id", "cds-training",
                "--http-port", String.valueOf(http), "--https-port", String.valueOf(https),
                "--admin-port", String.valueOf(admin), "--encryption-keys", keys.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long start = System.nanoTime();
            exercise(http, https, admin, cert);
            long served = System.nanoTime();
            proxy.destroy(); // SIGTERM: the proxy drains and exits normally, and the JVM writes the archive
            if (!proxy.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) || !Files.isRegularFile(archive)) {
                throw new IllegalStateException("the training proxy did not exit with an archive at " + archive);
            }
            System.out.printf("signalbox: the training proxy served in %d ms, then drained, exited and wrote its "
                    + "archive in %d ms%n", (served - start) / 1_000_000, (System.nanoTime() - served) / 1_000_000);
        } catch (Exception | Error e) {
            System.err.println("signalbox: the training proxy's output:\n" + Files.readString(log));
            throw e;
        } finally {
            proxy.destroyForcibly();
        }
    }

    private static String manifests(int port, Cert cert) {
        return String.join("---\n", Manifests.ingressClass(), MANIFESTS.service("echo", port),
                MANIFESTS.tlsSecret("training-tls", cert.pem().certificate(), cert.pem().privateKey(), null),
                MANIFESTS.tlsIngress("training", HOST, "training-tls", "echo"));
    }

    /**
     * One GET over TLS with SNI {@value #HOST}, trusting only the training certificate; the status code, or
     * -1 while the proxy does not yet present that certificate (or does not answer yet).
     */
    private static int httpsStatus(int port, Cert cert) {
        try (SSLSocket s = (SSLSocket) pinning(cert.cert()).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(HOST)));
            s.setSSLParameters(params);
            OutputStream out = s.getOutputStream();
            out.write(("GET /train HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] statusLine = response.split("\r\n", 2)[0].split(" ");
            return statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
        } catch (IOException e) {
            return -1; // the default certificate until the Secret's snapshot arrives (a failed handshake)
        }
    }

    /** A client context that accepts exactly {@code expected} as the server's certificate (pinned, no CA). */
    private static SSLContext pinning(X509Certificate expected) {
        X509TrustManager pin = new X509TrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                if (chain.length == 0 || !chain[0].equals(expected)) {
                    throw new CertificateException("not the training certificate");
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a client context");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {pin}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS client context", e);
        }
    }
}
