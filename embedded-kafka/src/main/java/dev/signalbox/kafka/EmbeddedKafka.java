package dev.signalbox.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka node in KRaft mode (broker and controller combined), running in this JVM and bound to 127.0.0.1:
 * either a single-node cluster (local mode, most tests) or one node of a {@link KafkaCluster} of several,
 * each node usually in its own process ({@code bin/ingress kafka}). Its data survives a restart on the
 * same directory (topics, offsets, committed transactions).
 *
 * <p>A broker's fatal fault calls {@code Exit.halt} and takes the whole JVM with it; local mode says so
 * when it starts. Not thread-safe: start and stop from one thread.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final KafkaCluster cluster;
    private final KafkaCluster.Node node;
    private final Map<String, Integer> extraPorts = new LinkedHashMap<>();
    private final Map<String, String> extraListeners = new LinkedHashMap<>();
    private final Map<String, String> brokerSettings = new LinkedHashMap<>();
    private KafkaRaftServer server;
    /** Not null: this is a broker outside the JVM (a container), and the fields above are unused. */
    private final ExternalTestBroker.Started external;

    private EmbeddedKafka(Path dataDir, KafkaCluster cluster, int nodeId) {
        this.dataDir = dataDir;
        this.cluster = cluster;
        this.node = cluster.node(nodeId);
        this.external = null;
    }

    /**
     * A client listener besides the PLAINTEXT one (which the broker itself, its controller and a test's set-up
     * keep using), e.g. {@code new Listener("SASL_SSL", "SASL_SSL")}; its settings go in the broker settings as
     * {@code listener.name.<lower-case name>.*}.
     */
    public record Listener(String name, String protocol) {
    }

    /**
     * A broker in a fresh temporary directory with further client {@code listeners} (each on a free port of
     * 127.0.0.1) and {@code brokerSettings} over the usual ones: the tests of TLS, SASL and ACLs (an authorizer,
     * {@code super.users}, the listeners' key stores and login modules).
     */
    public static EmbeddedKafka startTemporary(List<Listener> listeners, Map<String, String> brokerSettings) {
        try {
            int[] ports = freePorts(2 + listeners.size());
            EmbeddedKafka k = new EmbeddedKafka(Files.createTempDirectory("signalbox-kafka"),
                    KafkaCluster.single(ports[0], ports[1]), 1);
            for (int i = 0; i < listeners.size(); i++) {
                Listener l = listeners.get(i);
                k.extraPorts.put(l.name(), ports[2 + i]);
                k.extraListeners.put(l.name(), l.protocol());
            }
            k.brokerSettings.putAll(brokerSettings);
            k.startServer();
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Formats {@code dataDir} if needed and starts the broker; returns once it accepts requests.
     *
     * @param brokerPort the client port, or 0 for any free port
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort) {
        int[] ports = freePorts(2);
        if (brokerPort == 0) {
            return startNode(KafkaCluster.single(ports[0], ports[1]), 1, dataDir);
        }
        return startNode(KafkaCluster.single(brokerPort, ports[0] != brokerPort ? ports[0] : ports[1]), 1, dataDir);
    }

    /**
     * Formats {@code dataDir} for node {@code nodeId} of {@code cluster} if needed and starts it. With several
     * nodes this returns once the node is up, which may be before a quorum of controllers is reachable.
     */
    public static EmbeddedKafka startNode(KafkaCluster cluster, int nodeId, Path dataDir) {
        EmbeddedKafka k = new EmbeddedKafka(dataDir, cluster, nodeId);
        k.startServer();
        return k;
    }

    /**
     * A broker in a fresh temporary directory, for tests: the one place the integration tests get their broker.
     * With {@code -D}{@value #TEST_BROKER_PROPERTY}{@code =testcontainers} and a Docker engine, a Kafka container
     * instead (test-support's {@link ExternalTestBroker}); without a Docker engine the embedded broker, saying so.
     */
    public static EmbeddedKafka startTemporary() {
        String wanted = System.getProperty(TEST_BROKER_PROPERTY, "embedded");
        if (!wanted.equals("embedded")) {
            String[] whyNot = {"no provider named " + wanted + " on the class path"};
            for (ExternalTestBroker b : java.util.ServiceLoader.load(ExternalTestBroker.class)) {
                if (b.name().equals(wanted)) {
                    ExternalTestBroker.Started started = b.start(whyNot);
                    if (started != null) {
                        LOG.info("test broker: {} at {} ({}={})", wanted, started.bootstrapServers(), TEST_BROKER_PROPERTY, wanted);
                        return new EmbeddedKafka(started);
                    }
                }
            }
            LOG.warn("test broker: {}={} asked for, but {}: using the embedded broker", TEST_BROKER_PROPERTY, wanted, whyNot[0]);
        }
        try {
            return start(Files.createTempDirectory("signalbox-kafka"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The system property that picks the tests' broker: embedded (the default) or an {@link ExternalTestBroker}'s name. */
    public static final String TEST_BROKER_PROPERTY = "signalbox.test.kafka";

    private EmbeddedKafka(ExternalTestBroker.Started external) {
        this.dataDir = null;
        this.cluster = null;
        this.node = null;
        this.external = external;
    }

    private void startServer() {
        Path logDir = dataDir.resolve("kafka-logs");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(node.id()));
        p.put("controller.quorum.voters", cluster.quorumVoters());
        StringBuilder extra = new StringBuilder();
        StringBuilder protocols = new StringBuilder();
        extraPorts.forEach((name, port) -> {
            extra.append(',').append(name).append("://127.0.0.1:").append(port);
            protocols.append(',').append(name).append(':').append(extraListeners.get(name));
        });
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + node.brokerPort() + ",CONTROLLER://127.0.0.1:" + node.controllerPort() + extra);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.brokerPort() + extra);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + protocols);
        p.put("log.dirs", logDir.toString());
        if (cluster.nodes().size() < 3) {
            // Fewer than three nodes: internal topics cannot have the default three replicas.
            short rf = (short) cluster.nodes().size();
            p.put("offsets.topic.replication.factor", String.valueOf(rf));
            p.put("transaction.state.log.replication.factor", String.valueOf(rf));
            p.put("transaction.state.log.min.isr", "1");
        } else {
            // Three or more nodes: an acks=all write (every producer here is transactional, hence acks=all)
            // is acknowledged only once two replicas have it, so losing one broker loses no acknowledged
            // event. The internal topics keep their defaults: 3 replicas, transaction log min ISR 2.
            p.put("min.insync.replicas", String.valueOf(dev.signalbox.schemas.topics.TopicRequirements.minInsyncReplicas(3)));
        }
        // One partition each: fewer files and a faster start; a handful of clients needs no spread.
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
        p.putAll(brokerSettings);
        try {
            Files.createDirectories(logDir);
            Path meta = logDir.resolve("meta.properties");
            if (!Files.exists(meta)) {
                Formatter f = new Formatter()
                        .setNodeId(node.id())
                        .setClusterId(cluster.clusterId())
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
            LOG.info("Kafka node {} of {} (KRaft, in-process) started at {}, data in {}", node.id(), cluster.nodes().size(),
                    bootstrapServers(), dataDir);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker in " + dataDir, e);
        }
    }

    /** This node's client address (a client finds the other nodes through it). */
    public String bootstrapServers() {
        return external != null ? external.bootstrapServers() : "127.0.0.1:" + node.brokerPort();
    }

    /** The client address of the further listener {@code listenerName} ({@link #startTemporary(List, Map)}). */
    public String bootstrapServers(String listenerName) {
        Integer port = extraPorts.get(listenerName);
        if (port == null) {
            throw new IllegalArgumentException("no listener " + listenerName + " on this broker: " + extraPorts.keySet());
        }
        return "127.0.0.1:" + port;
    }

    public int port() {
        if (external != null) {
            String b = external.bootstrapServers();
            return Integer.parseInt(b.substring(b.lastIndexOf(':') + 1));
        }
        return node.brokerPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        if (external != null) {
            try {
                external.stop().close();
            } catch (Exception e) {
                LOG.warn("could not stop the test broker at {}: {}", external.bootstrapServers(), e.toString());
            }
            return;
        }
        if (server != null) {
            try {
                server.shutdown();
            } finally {
                server.awaitShutdown();
                server = null;
            }
        }
    }

    /**
     * {@code n} distinct free ports of 127.0.0.1: all are bound at once before any is released, since ports picked one
     * at a time can repeat (the kernel may hand out a just-released port again), and a broker whose client and
     * controller listeners got the same port does not start.
     */
    static int[] freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Closing a listening socket that never accepted: nothing to recover.
                }
            }
        }
    }
}
