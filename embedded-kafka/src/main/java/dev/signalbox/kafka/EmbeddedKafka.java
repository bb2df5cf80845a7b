package dev.signalbox.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker and controller in KRaft mode, running in this JVM and bound to 127.0.0.1.
 * Its data survives a restart on the same directory (topics, offsets, committed transactions).
 *
 * <p>A broker's fatal fault calls {@code Exit.halt} and takes the whole JVM with it; local mode says so
 * when it starts. Not thread-safe: start and stop from one thread.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dataDir, int brokerPort, int controllerPort) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats {@code dataDir} if needed and starts the broker; returns once it accepts requests.
     *
     * @param brokerPort the client port, or 0 for any free port
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort) {
        int port = brokerPort == 0 ? freePort() : brokerPort;
        EmbeddedKafka k = new EmbeddedKafka(dataDir, port, freePort());
        k.startServer();
        return k;
    }

    /** A broker in a fresh temporary directory, for tests. */
    public static EmbeddedKafka startTemporary() {
        try {
            return start(Files.createTempDirectory("signalbox-kafka"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        Path logDir = dataDir.resolve("kafka-logs");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // One broker: internal topics cannot have more than one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        // One partition each: fewer files and a faster start; one node needs no spread.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        // No other members will join late: do not hold the first rebalance for 3 s.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The 128 MiB default dedupe buffer is allocated on the heap at start; 2 MiB serves a small node.
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        // Topics are created explicitly with their settings (Topics); a typo must not create a topic.
        p.put("auto.create.topics.enable", "false");
        // Snapshot chunks up to 2 MiB (see Topics.snapshots()).
        p.put("message.max.bytes", String.valueOf(4 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", String.valueOf(4 * 1024 * 1024));
        try {
            Files.createDirectories(logDir);
            Path meta = logDir.resolve("meta.properties");
            if (!Files.exists(meta)) {
                Formatter f = new Formatter()
                        .setNodeId(1)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(logDir.toString()))
                        .setMetadataLogDirectory(logDir.toString())
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .setIgnoreFormatted(true);
                f.setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                f.run();
            }
            server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
            server.startup();
            LOG.info("Kafka broker (KRaft, in-process) ready at {}, data in {}", bootstrapServers(), dataDir);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker in " + dataDir, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.shutdown();
            } finally {
                server.awaitShutdown();
                server = null;
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
