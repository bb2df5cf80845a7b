package dev.signalbox.deploy;

import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import dev.signalbox.testing.Ports;
import dev.signalbox.testing.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The training run behind the two class-data-sharing archives the build leaves in {@code deploy/target}: the
 * whole local pipeline on free ports, and a {@code bin/ingress proxy} process joining it. Each proxy gets one
 * HTTP request (redirected), one HTTPS request (SNI, a certificate from a TLS Secret, proxied to a backend)
 * and a look at its admin endpoints. The proxy process runs with {@code -XX:ArchiveClassesAtExit} and exits
 * on SIGTERM like any proxy: its archive holds what a new proxy loads before serving. The build runs this
 * JVM the same way, for the archive of every other command ({@code local}, {@code watcher}, ...).
 * {@code bin/ingress} starts each process with its archive (see proxy-node/DESIGN.md, "Start-up"). Everything happens
 * in a temporary directory on ephemeral ports, so a running {@code bin/ingress local} is not disturbed; any
 * failure fails the build rather than leaving a silently colder start.
 */
final class CdsTraining {
    private static final String HOST = "training.local";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private CdsTraining() {
    }

    /** {@code cds-training --proxy-archive FILE}. */
    static void run(Path proxyArchive) throws Exception {
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("signalbox-cds-training");
        try (EchoBackend echo = EchoBackend.start("training")) {
            Path manifests = Files.createDirectories(dir.resolve("manifests"));
            TestCerts.Cert cert = TestCerts.selfSigned(HOST);
            Files.writeString(manifests.resolve("training.yaml"), manifests(echo.port(), cert));
            LocalConfig config = new LocalConfig(manifests, "127.0.0.1", new LocalConfig.Ports(0, 0, 0), 1,
                    dir.resolve("data"), 0, "cds-training", false);
            try (LocalMode mode = LocalMode.start(config)) {
                ProxyNode inProcess = mode.proxies().get(0);
                exercise(inProcess.httpPort(), inProcess.httpsPort(), inProcess.adminPort(), cert);
                trainProxyProcess(proxyArchive, mode.bootstrapServers(), config.dataDir().resolve("encryption-keys"),
                        cert, dir);
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
        System.out.println("signalbox: class-data-sharing training run done in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms; the proxy's archive is " + proxyArchive);
    }

    /** One redirected HTTP request, one proxied HTTPS request and the admin endpoints. */
    private static void exercise(int http, int https, int admin, TestCerts.Cert cert) {
        // A host with TLS redirects plain HTTP to HTTPS (as ingress-nginx's ssl-redirect does).
        awaitStatus("HTTP through the proxy", 308, () -> status(Http.tryGet(http, HOST, "/train")));
        awaitStatus("HTTPS through the proxy", 200, () -> httpsStatus(https, cert));
        for (String path : List.of("/readyz", "/metrics", "/routes")) {
            awaitStatus("admin " + path, 200, () -> status(Http.tryGet(admin, null, path)));
        }
    }

    private static void awaitStatus(String what, int status, Supplier<Integer> probe) {
        Await.value("class-data-sharing training: " + what + " answering " + status, WAIT, probe,
                got -> got != null && got == status);
    }

    private static Integer status(HttpResponse<String> response) {
        return response == null ? null : response.statusCode();
    }

    /**
     * {@code Launcher proxy} in its own JVM, on this JVM's class path (the packaged one bin/ingress uses),
     * dumping its loaded classes to {@code archive} when SIGTERM ends it.
     */
    private static void trainProxyProcess(Path archive, String bootstrap, Path keys, TestCerts.Cert cert, Path dir)
            throws Exception {
        Files.deleteIfExists(archive);
        int http = Ports.free();
        int https = Ports.free();
        int admin = Ports.free();
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
            if (!proxy.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS) || !Files.isRegularFile(archive)) {
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

    private static String manifests(int port, TestCerts.Cert cert) {
        return String.join("---\n", Manifests.ingressClass(), Manifests.service("echo", port),
                Manifests.tlsSecret("training-tls", cert.certPem(), cert.keyPem(), null),
                Manifests.tlsIngress("training", HOST, "training-tls", "echo"));
    }

    /**
     * One GET over TLS with SNI {@value #HOST}, trusting only the training certificate; the status code, or
     * null while the proxy does not yet present that certificate (or does not answer yet).
     */
    private static Integer httpsStatus(int port, TestCerts.Cert cert) {
        SSLContext ctx = TestCerts.trustingOnly(cert.cert());
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
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
            return statusLine.length > 1 ? Integer.valueOf(statusLine[1]) : null;
        } catch (IOException e) {
            return null; // the default certificate until the Secret's snapshot arrives (a failed handshake)
        }
    }
}
