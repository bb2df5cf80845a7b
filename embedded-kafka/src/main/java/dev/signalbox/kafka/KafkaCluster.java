package dev.signalbox.kafka;

import dev.signalbox.schemas.codec.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * The layout of a KRaft cluster on 127.0.0.1 whose every node is both broker and controller: node ids
 * 1..n, each with a client port and a controller port; all nodes are voters of the metadata quorum
 * (static {@code controller.quorum.voters}). Every node of one cluster must be started with the same layout.
 *
 * @param clusterId the Kafka cluster id written when a node's directory is formatted
 */
public record KafkaCluster(String clusterId, List<Node> nodes) {

    /** One node: its id, client (PLAINTEXT) port and controller port. */
    public record Node(int id, int brokerPort, int controllerPort) {
    }

    public KafkaCluster {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one node");
        }
    }

    /** A one-node cluster with a fresh cluster id. */
    public static KafkaCluster single(int brokerPort, int controllerPort) {
        return new KafkaCluster(Uuid.randomUuid().toString(), List.of(new Node(1, brokerPort, controllerPort)));
    }

    /**
     * Parses {@code BROKER:CONTROLLER,BROKER:CONTROLLER,...} (ports of nodes 1, 2, ...). The cluster id is
     * derived from the layout, so every node started with the same string formats with the same id.
     */
    public static KafkaCluster parse(String ports) {
        List<Node> nodes = new ArrayList<>();
        for (String pair : ports.split(",")) {
            String[] p = pair.trim().split(":");
            if (p.length != 2) {
                throw new IllegalArgumentException("expected BROKER_PORT:CONTROLLER_PORT, not '" + pair + "'");
            }
            nodes.add(new Node(nodes.size() + 1, Integer.parseInt(p[0]), Integer.parseInt(p[1])));
        }
        return new KafkaCluster(derivedId(ports.replace(" ", "")), nodes);
    }

    /** Free ports for {@code n} nodes on this machine, as {@link #parse} reads them. */
    public static String freePorts(int n) {
        int[] ports = EmbeddedKafka.freePorts(2 * n);
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pairs.add(ports[2 * i] + ":" + ports[2 * i + 1]);
        }
        return String.join(",", pairs);
    }

    public Node node(int id) {
        return nodes.stream().filter(n -> n.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + id + " in " + nodes));
    }

    /** {@code 1@127.0.0.1:C1,2@127.0.0.1:C2,...} */
    public String quorumVoters() {
        return nodes.stream().map(n -> n.id() + "@127.0.0.1:" + n.controllerPort()).collect(Collectors.joining(","));
    }

    /** Every node's client address. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort()).collect(Collectors.joining(","));
    }

    private static String derivedId(String layout) {
        byte[] h = Sha256.of(layout);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (h[i] & 0xff);
            lsb = (lsb << 8) | (h[i + 8] & 0xff);
        }
        return new Uuid(msb, lsb).toString();
    }
}
