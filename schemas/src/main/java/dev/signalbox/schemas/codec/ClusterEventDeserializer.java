package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.event.ClusterEvent;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for the events topic. An undecodable record becomes null (logged and counted in
 * {@link DecodeFailures#EVENTS}) instead of an exception that would stop {@code poll()} at that offset.
 */
public final class ClusterEventDeserializer implements Deserializer<ClusterEvent> {
    @Override
    public ClusterEvent deserialize(String topic, byte[] data) {
        return ClusterEventCodec.decode(topic, data).orElse(null);
    }
}
