package dev.signalbox.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaPortsTest {
    /** A broker's client, controller and extra listeners need distinct ports; picked one at a time they could repeat. */
    @Test
    void portsPickedTogetherAreDistinct() {
        for (int round = 0; round < 20; round++) {
            int[] ports = EmbeddedKafka.freePorts(16);
            assertEquals(16, Arrays.stream(ports).distinct().count(), Arrays.toString(ports));
        }
    }
}
