package dev.signalbox.launcher;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.KafkaCluster;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/ingress kafka}: one Kafka node (KRaft, broker and controller) in this process, until SIGTERM. */
@Command(header = "One Kafka node (KRaft), alone or one of a cluster.", name = "kafka", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"One Kafka node (KRaft, broker and controller) in this process: alone, or node N of a cluster",
            "whose node i has client port Bi and controller port Ci (the same --nodes on every node).",
            "SIGTERM is a controlled shutdown (leadership moves to the other nodes first)."})
final class KafkaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The node's log directories.")
    Path dataDir;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT", converter = Port.Converter.class,
            description = "A single node's client port.")
    int port;

    @Option(names = "--nodes", paramLabel = "B1:C1,B2:C2,...", description = "The client and controller ports of every node of a cluster.")
    String nodes;

    @Option(names = "--node-id", defaultValue = "0", paramLabel = "N", description = "This node's index in --nodes.")
    int nodeId;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafka node;
        if (nodes != null) {
            KafkaCluster cluster;
            try {
                cluster = KafkaCluster.parse(nodes);
                cluster.node(nodeId);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--nodes and --node-id: " + e.getMessage());
            }
            node = EmbeddedKafka.startNode(cluster, nodeId, dataDir);
        } else {
            node = EmbeddedKafka.start(dataDir, port);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stop.countDown();
        }, "kafka-shutdown"));
        System.out.println("signalbox: kafka node started at " + node.bootstrapServers() + ", data in " + dataDir);
        stop.await();
        return 0;
    }
}
