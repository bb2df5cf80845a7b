package dev.signalbox.launcher.bench.perf;

import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.proxy.netty.Transport;
import dev.signalbox.rawhttp.RawHttpConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/ingress perf}: Signalbox's proxy side by side with nginx and HAProxy in front of the same nginx
 * backend, on this machine, in one run. The load generator runs on one core, the backend and the proxy measured on
 * the other ({@code taskset}; the proxies not measured wait on the first, see {@link #place}); each case runs against
 * each target in turn, {@code runs} times, so that drift in the machine hits all of them alike. Before each run it
 * waits (up to a limit, then says so) while other work keeps the machine busy. Figures per case: requests/s, p50,
 * p99, failed requests, the proxy's CPU time per request, and Signalbox's ratios to the better anchor
 * ({@link PerfSummary}).
 *
 * <p>Signalbox runs two ways: {@code bin/ingress local} (its proxy, with the idle broker, watcher and compiler in
 * the same JVM) and {@code bin/ingress proxy} alone against local mode's broker. Both JVMs get the same explicit
 * settings ({@link Settings#jvmOptions}): under {@code taskset} a JVM sees one CPU and would pick the serial
 * collector on its own; the benchmark says so instead of leaving it to chance, and gives each proxy one event
 * loop per server core with {@code --io-threads} (nginx's one worker, HAProxy's one thread).
 */
public final class PerfBenchmark {
    /** Local mode's and the proxy's JVM: a fixed heap, the parallel collector, one CPU. */
    public static final String DEFAULT_JVM_OPTIONS = "-Xms1g -Xmx1g -XX:+UseParallelGC -XX:ActiveProcessorCount=1";
    /** One event loop for the one server core, as nginx has one worker and HAProxy one thread. */
    private static final String IO_THREADS = "1";
    /** How long each case other than the first is run on a Signalbox target before it is measured, at most. */
    private static final Duration CASE_WARMUP = Duration.ofSeconds(10);

    /**
     * @param maxBusyShare the machine's busy share (0..1, both cores) above which a run waits for quiet
     */
    public record Settings(Path home, List<PerfCase> cases, List<Target> targets, int runs, Duration duration,
                           Duration warmup, int clientCore, int serverCore, String jvmOptions, double maxBusyShare,
                           Duration maxQuietWait, Transport.Preference transport) {
    }

    private final Settings s;
    private final PrintStream log;
    private final Path work;
    private final List<Process> processes = new ArrayList<>();
    private final Map<Target, Ports> ports = new EnumMap<>(Target.class);
    private final Map<Target, Process> servers = new EnumMap<>(Target.class);
    /** Local mode when it is not measured itself: the broker a proxy alone reads its snapshots from. */
    private Process snapshotSource;

    /** A target's listeners. */
    private record Ports(int http, int https) {
    }

    private PerfBenchmark(Settings settings, PrintStream log, Path work) {
        this.s = settings;
        this.log = log;
        this.work = work;
    }

    /** Runs every case against every target and returns the summary rows; progress goes to {@code log}. */
    public static List<PerfSummary.Row> run(Settings settings, PrintStream log) throws Exception {
        requireTools();
        // nginx's workers run as an unprivileged user: they must reach the static 16 KiB file (a private temporary
        // directory made them answer 403 to every request of that case).
        Path work = Files.createTempDirectory("signalbox-perf-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        PerfBenchmark b = new PerfBenchmark(settings, log, work);
        try {
            b.start();
            return PerfSummary.rows(b.measure());
        } finally {
            b.stop();
            log.println("perf: logs and configuration in " + work);
        }
    }

    private static void requireTools() throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("nginx", "haproxy", "wrk", "h2load", "taskset", "openssl")) {
            Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
            if (p.waitFor() != 0) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing " + String.join(", ", missing)
                    + "; install them with: apt-get install -y nginx haproxy wrk nghttp2-client util-linux openssl");
        }
    }

    private void start() throws Exception {
        Path cert = work.resolve("cert.pem");
        Path key = work.resolve("key.pem");
        exec(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=" + PerfCase.HOST, "-addext", "subjectAltName=DNS:" + PerfCase.HOST, "-days", "7",
                "-keyout", key.toString(), "-out", cert.toString()));
        Path certAndKey = work.resolve("haproxy.pem");
        Files.writeString(certAndKey, Files.readString(cert) + Files.readString(key));
        Files.createDirectories(work.resolve("static"));
        Files.write(work.resolve("static/16k"), "x".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII));

        int backend = freePort();
        serve("backend", List.of("nginx", "-p", work.toString(), "-e", work.resolve("backend-stderr.log").toString(),
                "-c", write("backend.conf", Configs.backendNginx(work, backend)).toString()), Map.of());
        awaitAnswer("backend", backend, "/");
        awaitAnswer("backend", backend, "/16k");

        if (s.targets().contains(Target.NGINX)) {
            Ports p = new Ports(freePort(), freePort());
            servers.put(Target.NGINX, serve("nginx", List.of("nginx", "-p", work.toString(), "-e",
                    work.resolve("nginx-stderr.log").toString(), "-c", write("nginx.conf",
                            Configs.nginxProxy(work, p.http(), p.https(), backend, cert, key)).toString()), Map.of()));
            ports.put(Target.NGINX, p);
        }
        if (s.targets().contains(Target.HAPROXY)) {
            Ports p = new Ports(freePort(), freePort());
            servers.put(Target.HAPROXY, serve("haproxy", List.of("haproxy", "-db", "-f",
                    write("haproxy.cfg", Configs.haproxy(p.http(), p.https(), backend, certAndKey)).toString()), Map.of()));
            ports.put(Target.HAPROXY, p);
        }
        if (s.targets().contains(Target.SIGNALBOX_LOCAL) || s.targets().contains(Target.SIGNALBOX_PROXY)) {
            startSignalbox(backend);
        }
        if (s.targets().contains(Target.SIGNALBOX_FEATURES)) {
            Path manifests = Files.createDirectories(work.resolve("manifests-features"));
            Files.writeString(manifests.resolve("perf.yaml"),
                    FeatureTable.manifests(new Manifests("default"), backend, FeatureTable.DEFAULT_COUNT));
            Ports p = new Ports(freePort(), freePort());
            servers.put(Target.SIGNALBOX_FEATURES, startLocal(Target.SIGNALBOX_FEATURES.option(), manifests,
                    work.resolve("signalbox-features-data"), freePort(), p));
            ports.put(Target.SIGNALBOX_FEATURES, p);
        }
        for (Map.Entry<Target, Ports> e : ports.entrySet()) {
            awaitAnswer(e.getKey().label(), e.getValue().http(), "/");
        }
        for (Target t : servers.keySet()) {
            if (!t.anchor()) {
                log.printf("perf: %s serves on the %s transport (--transport %s)%n", t.label(), transportOf(t), s.transport());
            }
        }
        if (ports.containsKey(Target.SIGNALBOX_FEATURES)) {
            // The other Ingresses must be in force, or the comparison says nothing: one of them asks for credentials.
            try (RawHttpConnection c = RawHttpConnection.open(ports.get(Target.SIGNALBOX_FEATURES).http(),
                    Duration.ofSeconds(1), Duration.ofSeconds(5))) {
                int status = c.get("featured-0.perf", "/").status();
                if (status != 401) {
                    throw new IllegalStateException("signalbox features: a featured Ingress answered " + status
                            + " instead of 401 (basic auth not in force); see " + work);
                }
            }
        }
    }

    /**
     * Local mode (routing {@link PerfCase#HOST} to the backend) and, against its broker, a proxy alone; both serve
     * plain HTTP and HTTPS with the proxy's default certificate (the clients send no SNI: they connect to an
     * address).
     */
    private void startSignalbox(int backend) throws Exception {
        Manifests m = new Manifests("default");
        Path manifests = Files.createDirectories(work.resolve("manifests"));
        Files.writeString(manifests.resolve("perf.yaml"), Manifests.documents(Manifests.ingressClass(),
                m.service("perf-backend", backend), m.ingress("perf", PerfCase.HOST, "/", "perf-backend")));
        Path data = work.resolve("signalbox-data");
        int kafka = freePort();
        Ports local = new Ports(freePort(), freePort());
        Map<String, String> env = env();
        Process localMode = startLocal(Target.SIGNALBOX_LOCAL.option(), manifests, data, kafka, local);
        if (s.targets().contains(Target.SIGNALBOX_LOCAL)) {
            servers.put(Target.SIGNALBOX_LOCAL, localMode);
            ports.put(Target.SIGNALBOX_LOCAL, local);
        } else {
            snapshotSource = localMode;
        }
        awaitAnswer("signalbox local", local.http(), "/");
        if (s.targets().contains(Target.SIGNALBOX_PROXY)) {
            Ports p = new Ports(freePort(), freePort());
            servers.put(Target.SIGNALBOX_PROXY, serve(Target.SIGNALBOX_PROXY.option(), List.of(s.home().resolve("bin/ingress").toString(),
                    "proxy", "--kafka", "127.0.0.1:" + kafka, "--node-id", "perf-proxy", "--bind", "127.0.0.1",
                    "--http-port", Integer.toString(p.http()), "--https-port", Integer.toString(p.https()),
                    "--admin-port", Integer.toString(freePort()), "--io-threads", IO_THREADS,
                    "--transport", s.transport().toString(), "--encryption-keys", data.resolve("encryption-keys").toString()), env));
            ports.put(Target.SIGNALBOX_PROXY, p);
        }
    }

    private Map<String, String> env() {
        return Map.of("SIGNALBOX_BUILD", "never", "SIGNALBOX_JAVA_OPTS", s.jvmOptions());
    }

    /** {@code bin/ingress local} on {@code manifests}, its broker on {@code kafka}, serving on {@code p}. */
    private Process startLocal(String name, Path manifests, Path data, int kafka, Ports p) throws IOException {
        return serve(name, List.of(s.home().resolve("bin/ingress").toString(), "local",
                "--manifests", manifests.toString(), "--data-dir", data.toString(), "--kafka-port", Integer.toString(kafka),
                "--http-port", Integer.toString(p.http()), "--https-port", Integer.toString(p.https()),
                "--admin-port", Integer.toString(freePort()), "--watcher-admin-port", Integer.toString(freePort()),
                "--compiler-admin-port", Integer.toString(freePort()), "--io-threads", IO_THREADS,
                "--transport", s.transport().toString()), env());
    }

    private Map<PerfCase, Map<Target, List<Measurement>>> measure() throws Exception {
        List<Target> targets = s.targets().stream().filter(servers::containsKey).toList();
        for (Target t : targets) {
            Duration warmup = t.anchor() ? Duration.ofSeconds(Math.min(5, s.warmup().toSeconds())) : s.warmup();
            if (!warmup.isZero()) {
                log.printf("perf: warming up %s for %d s%n", t.label(), warmup.toSeconds());
                place(t);
                load(PerfCase.all().get(0), t, warmup);
            }
        }
        Map<PerfCase, Map<Target, List<Measurement>>> runs = new LinkedHashMap<>();
        for (PerfCase c : s.cases()) {
            Map<Target, List<Measurement>> byTarget = new EnumMap<>(Target.class);
            warmUpCase(c, targets);
            for (int run = 1; run <= s.runs(); run++) {
                for (Target t : targets) {
                    place(t);
                    awaitQuiet();
                    double cpuBefore = Machine.cpuSeconds(servers.get(t).pid());
                    LoadResult r = load(c, t, s.duration());
                    double cpu = Machine.cpuSeconds(servers.get(t).pid()) - cpuBefore;
                    Measurement m = new Measurement(r, cpu);
                    byTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(m);
                    log.printf("perf: %-36s %-16s run %d: %,10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %d  cpu %6.1f us/req%n",
                            c.name(), t.label(), run, r.requestsPerSecond(), r.p50Ms(), r.p99Ms(), r.errors(),
                            m.cpuMicrosPerRequest());
                }
            }
            runs.put(c, byTarget);
        }
        return runs;
    }

    /**
     * A JVM compiles the code a case takes (an upload's body relay, TLS, HTTP/2) only once that case runs: without
     * warming it, the JIT's threads work during the measured run and their CPU counts against each request (in a
     * 1 MiB upload run at a few hundred requests per second, the C2 compiler used more CPU than the event loop).
     * So each Signalbox target runs each case briefly first; the general warm-up used the first case.
     */
    private void warmUpCase(PerfCase c, List<Target> targets) throws Exception {
        Duration warmup = s.warmup().compareTo(CASE_WARMUP) < 0 ? s.warmup() : CASE_WARMUP;
        if (c.equals(PerfCase.all().get(0)) || warmup.isZero()) {
            return;
        }
        for (Target t : targets) {
            if (!t.anchor()) {
                log.printf("perf: warming up %s on %s for %d s%n", t.label(), c.name(), warmup.toSeconds());
                place(t);
                load(c, t, warmup);
            }
        }
    }

    /**
     * The server core holds the backend and the target measured next, nothing else: every other server waits on the
     * client core. An idle JVM is not idle to the scheduler (a broker's purgatory and fetch threads, a proxy's
     * snapshot follower, the JIT, wake hundreds of times a second), and with local mode's broker and a second
     * Signalbox JVM on the server core, the p99 of every target went up, the JVM proxies' most (2026-12-07, HTTP/1.1 at
     * 64 connections by hand: HAProxy 15 -> 7.7 ms, Signalbox's proxy 25 -> 9.6 ms, once the broker's JVM moved off).
     * Local mode measured keeps its broker, watcher and compiler in the same process, on the server core, as it runs.
     */
    private void place(Target measured) throws IOException, InterruptedException {
        List<Process> others = new ArrayList<>();
        servers.forEach((t, p) -> {
            if (t != measured) {
                others.add(p);
            }
        });
        if (snapshotSource != null) {
            others.add(snapshotSource);
        }
        Machine.pin(servers.get(measured).pid(), s.serverCore());
        for (Process p : others) {
            Machine.pin(p.pid(), s.clientCore());
        }
    }

    private LoadResult load(PerfCase c, Target t, Duration duration) throws Exception {
        Ports p = ports.get(t);
        Path script = write("upload.lua", c.uploadScript());
        Path requestLog = work.resolve("h2load-requests.log");
        Files.deleteIfExists(requestLog);
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(s.clientCore())));
        cmd.addAll(c.command(c.tls() ? p.https() : p.http(), duration, script, requestLog));
        String out = exec(cmd);
        return c.usesWrk() ? LoadOutput.wrk(out) : LoadOutput.h2load(out, Files.readAllLines(requestLog));
    }

    /** Waits until the machine's other work leaves it quiet, up to {@link Settings#maxQuietWait}, then says so. */
    private void awaitQuiet() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + s.maxQuietWait().toNanos();
        double busy = Machine.busyShare(500);
        boolean said = false;
        while (busy > s.maxBusyShare() && System.nanoTime() < deadline) {
            if (!said) {
                log.printf("perf: the machine is %.0f%% busy with other work; waiting for quiet (up to %d s)%n",
                        busy * 100, s.maxQuietWait().toSeconds());
                said = true;
            }
            busy = Machine.busyShare(1000);
        }
        if (busy > s.maxBusyShare()) {
            log.printf("perf: still %.0f%% busy; measuring anyway (figures of this run are not comparable)%n", busy * 100);
        }
    }

    /**
     * The transport a Signalbox target's log says its proxy uses (ProxyServer logs it at start); each target's process
     * is named, and logs to a file named, by its {@link Target#option()}.
     */
    private String transportOf(Target t) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("using the (\\S+) transport")
                .matcher(Files.readString(work.resolve(t.option() + ".out")));
        return m.find() ? m.group(1) : "(not in its log)";
    }

    private Process serve(String name, List<String> command, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(s.serverCore())));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".out").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(work.resolve(name), content);
    }

    private void awaitAnswer(String what, int port, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (RawHttpConnection c = RawHttpConnection.open(port, Duration.ofSeconds(1), Duration.ofSeconds(2))) {
                int status = c.get(PerfCase.HOST, path).status();
                if (status == 200) {
                    return;
                }
                last = new IOException("answered " + status);
            } catch (IOException e) {
                last = e;
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(p.info().commandLine().orElse("a server") + " exited "
                            + p.exitValue() + "; see " + work);
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(what + " did not answer 200 to " + path + " on port " + port + " within 120 s: "
                + last);
    }

    private void stop() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
