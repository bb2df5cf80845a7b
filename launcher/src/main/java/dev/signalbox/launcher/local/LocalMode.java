package dev.signalbox.launcher.local;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.observability.AdminServer;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real pipeline on one machine, in this JVM: an embedded KRaft broker, the manifests watcher, the
 * compiler and N proxy nodes, all talking through Kafka exactly as in a cluster. Closing stops them in
 * reverse order of start.
 */
public final class LocalMode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMode.class);
    /** The ports deploy/examples/echo.yaml's EndpointSlices point at. */
    static final int[] DEMO_PORTS = {18081, 18082};

    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<ProxyNode> proxies = new ArrayList<>();
    private EmbeddedKafka kafka;
    private AdminServer watcherAdmin;
    private AdminServer compilerAdmin;

    private LocalMode() {
    }

    public static LocalMode start(LocalConfig config) {
        LocalMode m = new LocalMode();
        try {
            m.startAll(config);
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private void startAll(LocalConfig c) {
        LOG.info("starting the embedded Kafka broker; a fatal broker error (disk full, out of memory) halts this "
                + "whole process, as Kafka does");
        kafka = EmbeddedKafka.start(c.dataDir().resolve("kafka"), c.kafkaPort());
        started.add(kafka);
        String bootstrap = kafka.bootstrapServers();
        TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
        if (c.demoBackends()) {
            String[] names = {"echo-a", "echo-b"};
            for (int i = 0; i < DEMO_PORTS.length; i++) {
                started.add(DemoBackend.start(names[i], DEMO_PORTS[i]));
            }
        }
        KeyRing keys = localKeys(c.dataDir().resolve("encryption-keys"));
        Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
        started.add(compiler);
        compilerAdmin = AdminServer.start("compiler", c.bindAddress(), c.ports().compilerAdmin(),
                compiler.metrics().registry(), compiler::health);
        dev.signalbox.compiler.CompilerMain.wholeOnRequest(compilerAdmin, compiler);
        started.add(compilerAdmin);
        Watcher watcher = Watcher.startManifests(WatcherConfig.defaults(bootstrap, c.clusterId())
                .withManifestsDir(c.manifestsDir()).withKeys(keys));
        started.add(watcher);
        watcherAdmin = AdminServer.start("watcher", c.bindAddress(), c.ports().watcherAdmin(),
                watcher.metrics().registry(), watcher::health);
        started.add(watcherAdmin);
        for (int i = 0; i < c.proxies(); i++) {
            ProxyConfig config = new ProxyConfig(bootstrap, "proxy-" + i, c.bindAddress(),
                    c.ports().http() == 0 ? 0 : c.ports().http() + i, c.ports().admin() == 0 ? 0 : c.ports().admin() + i,
                    Duration.ofSeconds(2), Duration.ofSeconds(60))
                    .withHttps(c.ports().https() == 0 ? 0 : c.ports().https() + i, 0, null, null)
                    .withKeys(keys)
                    .withLocality(c.proxyLocality())
                    .withIoThreads(c.ioThreads())
                    .withTransport(c.transport());
            // As bin/ingress proxy starts its node (ProxyMain.run): the same client settings and access log.
            ProxyNode p = ProxyNode.start(c.clients().applyTo(config), c.clients().accessLog());
            proxies.add(p);
            started.add(p);
        }
        started.add(DiagnosticsPrinter.start(bootstrap, System.out));
    }

    /**
     * The key-encryption keys of this data directory, generating the first on first use. They stay with the
     * broker's data: the log's sealed keys open only with them. Processes that join this broker
     * ({@code bin/ingress watcher|proxy}) take the same directory with {@code --encryption-keys}.
     */
    static KeyRing localKeys(Path dir) {
        try {
            Files.createDirectories(dir);
            boolean empty;
            try (var files = Files.list(dir)) {
                empty = files.noneMatch(f -> !f.getFileName().toString().startsWith("."));
            }
            if (empty) {
                Path key = dir.resolve("local-1");
                Files.writeString(key, KeyRing.generateKey() + "\n");
                try {
                    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    LOG.warn("cannot restrict the permissions of {}: {}", key, e.toString());
                }
                LOG.info("generated key-encryption key local-1 in {}", dir);
            }
            KeyRing keys = KeyRing.fromDirectory(dir, null);
            LOG.info("TLS private keys are sealed in Kafka with key-encryption keys {} from {} (other bin/ingress"
                    + " watcher|proxy processes joining this broker: --encryption-keys {})", keys.keyIds(), dir, dir);
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the key-encryption keys in " + dir, e);
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The watcher's admin port (/healthz, /readyz, /metrics). */
    public int watcherAdminPort() {
        return watcherAdmin.port();
    }

    /** The compiler's admin port (/healthz, /readyz, /metrics). */
    public int compilerAdminPort() {
        return compilerAdmin.port();
    }

    public List<ProxyNode> proxies() {
        return List.copyOf(proxies);
    }

    /** True once every proxy serves a snapshot. */
    public boolean ready() {
        return proxies.stream().allMatch(p -> p.appliedVersion() > 0);
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }
}
