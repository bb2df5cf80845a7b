package dev.signalbox.launcher;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/ingress local}: the whole pipeline on this machine, until Ctrl-C. */
@Command(header = "The whole pipeline on this machine, with an embedded Kafka broker.", name = "local", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"The whole pipeline on this machine: an embedded Kafka broker, the watcher reading a directory",
            "of YAML files, the compiler and N proxies. Proxy i listens on each port plus i. Ctrl-C stops it.",
            "Every proxy takes --trusted-proxies through --access-log-file as bin/ingress proxy does."})
final class LocalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--manifests", paramLabel = "DIR",
            description = "Your own Kubernetes YAML. Default: deploy/examples, with the echo backends it routes to.")
    Path manifests;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT", converter = Port.Converter.class,
            description = "Proxy 0's HTTP port.")
    int httpPort;

    @Option(names = "--https-port", defaultValue = "8443", paramLabel = "PORT", converter = Port.Converter.class,
            description = "Proxy 0's HTTPS port.")
    int httpsPort;

    @Option(names = "--admin-port", defaultValue = "9090", paramLabel = "PORT", converter = Port.Converter.class,
            description = "Proxy 0's admin port.")
    int adminPort;

    @Option(names = "--watcher-admin-port", defaultValue = "9101", paramLabel = "PORT", converter = Port.Converter.class,
            description = "The watcher's admin port (/healthz, /readyz, /metrics).")
    int watcherAdminPort;

    @Option(names = "--compiler-admin-port", defaultValue = "9102", paramLabel = "PORT", converter = Port.Converter.class,
            description = "The compiler's admin port (/healthz, /readyz, /metrics).")
    int compilerAdminPort;

    @Option(names = "--proxies", defaultValue = "1", paramLabel = "N", description = "How many proxies.")
    int proxies;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The broker's data and the key-encryption keys, kept across runs. Default: .signalbox/data.")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "0", paramLabel = "PORT", converter = Port.Converter.class,
            description = "The broker's client port, fixed so that other bin/ingress commands can join it (0: any free port).")
    int kafkaPort;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS", description = "The address the proxies bind.")
    String bind;

    @Option(names = "--cluster-id", defaultValue = "local", paramLabel = "ID",
            description = "Names this cluster in the events; the proxies run in it.")
    String clusterId;

    @picocli.CommandLine.Mixin
    EventLoopOptions eventLoops;

    @picocli.CommandLine.Mixin
    LocalityOption locality;

    @picocli.CommandLine.Mixin
    ClientOptions clients;

    @picocli.CommandLine.Mixin
    LeakDetectionOption leakDetection;

    LocalConfig config() {
        Path home = Path.of(System.getProperty("signalbox.home", "."));
        boolean demo = manifests == null;
        Path dir = demo ? home.resolve("deploy/examples") : manifests;
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), "manifests directory " + dir + " does not exist");
        }
        try {
            return new LocalConfig(dir.toAbsolutePath().normalize(), bind, new LocalConfig.Ports(httpPort, httpsPort, adminPort,
                    watcherAdminPort, compilerAdminPort),
                    proxies, dataDir != null ? dataDir : home.resolve(".signalbox/data"), kafkaPort, clusterId, demo,
                    locality.zone, locality.policy, eventLoops.ioThreads(), clients.clients(), eventLoops.transport());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        long t0 = System.nanoTime();
        LocalConfig config = config();
        leakDetection.apply();
        CountDownLatch stop = new CountDownLatch(1);
        LocalMode mode;
        try {
            mode = LocalMode.start(config);
        } catch (RuntimeException e) {
            System.err.println("signalbox: could not start: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("signalbox: stopping");
            mode.close();
            stop.countDown();
        }, "local-shutdown"));

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!mode.ready() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.println(banner(config, mode, t0));
        stop.await();
        return 0;
    }

    private static String banner(LocalConfig config, LocalMode mode, long t0) {
        StringBuilder b = new StringBuilder();
        b.append(mode.ready() ? "\nsignalbox: ready in " : "\nsignalbox: NOT ready after ")
                .append((System.nanoTime() - t0) / 1_000_000).append(" ms\n");
        b.append("  manifests      ").append(config.manifestsDir())
                .append(config.demoBackends() ? "  (the example; see deploy/examples/README.md)\n" : "\n");
        b.append("  kafka          ").append(mode.bootstrapServers())
                .append("  (join with: bin/ingress proxy --kafka ").append(mode.bootstrapServers()).append(" --http-port P --admin-port Q")
                .append(" --encryption-keys ").append(config.dataDir().resolve("encryption-keys")).append(")\n");
        for (int i = 0; i < mode.proxies().size(); i++) {
            var p = mode.proxies().get(i);
            b.append("  proxy-").append(i).append("        http://").append(config.bindAddress()).append(':').append(p.httpPort())
                    .append("   admin http://").append(config.bindAddress()).append(':').append(p.adminPort())
                    .append("/routes  (version ").append(p.appliedVersion()).append(")\n");
        }
        b.append("  watcher        admin http://").append(config.bindAddress()).append(':').append(mode.watcherAdminPort())
                .append("/metrics\n");
        b.append("  compiler       admin http://").append(config.bindAddress()).append(':').append(mode.compilerAdminPort())
                .append("/metrics\n");
        for (int i = 0; i < mode.proxies().size(); i++) {
            b.append("  https-").append(i).append("        https://").append(config.bindAddress()).append(':')
                    .append(mode.proxies().get(i).httpsPort())
                    .append("  (certificates from the Ingresses' TLS Secrets, else a self-signed default)\n");
        }
        if (config.demoBackends()) {
            b.append("  try            curl -H 'Host: demo.localtest.me' http://127.0.0.1:")
                    .append(mode.proxies().get(0).httpPort()).append("/a\n");
        }
        b.append("  stop           Ctrl-C\n");
        return b.toString();
    }
}
