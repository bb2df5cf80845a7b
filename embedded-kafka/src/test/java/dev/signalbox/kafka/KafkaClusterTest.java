package dev.signalbox.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.signalbox.schemas.topics.TopicRequirements;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaClusterTest {

    @Test
    void nodesAreNumberedFromOneInTheOrderTheirPortsAreGiven() {
        KafkaCluster c = KafkaCluster.parse("9092:9093, 9094:9095,9096:9097");
        assertEquals(List.of(new KafkaCluster.Node(1, 9092, 9093), new KafkaCluster.Node(2, 9094, 9095),
                new KafkaCluster.Node(3, 9096, 9097)), c.nodes());
        assertEquals("1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097", c.quorumVoters());
        assertEquals("127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096", c.bootstrapServers());
    }

    @Test
    void everyNodeStartedWithTheSameLayoutFormatsWithTheSameClusterId() {
        assertEquals(KafkaCluster.parse("1:2,3:4").clusterId(), KafkaCluster.parse("1:2, 3:4").clusterId());
        assertNotEquals(KafkaCluster.parse("1:2,3:4").clusterId(), KafkaCluster.parse("1:2,3:5").clusterId());
    }

    @Test
    void aMalformedLayoutOrAnUnknownNodeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> KafkaCluster.parse("9092"));
        assertThrows(IllegalArgumentException.class, () -> KafkaCluster.parse("9092:9093").node(2));
    }

    @Test
    void minInsyncReplicasIsAMajorityFromThreeReplicasOn() {
        assertEquals(1, TopicRequirements.minInsyncReplicas(1));
        assertEquals(1, TopicRequirements.minInsyncReplicas(2));
        assertEquals(2, TopicRequirements.minInsyncReplicas(3));
        assertEquals(3, TopicRequirements.minInsyncReplicas(5));
    }
}
