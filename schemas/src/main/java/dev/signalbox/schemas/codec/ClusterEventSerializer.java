package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.event.ClusterEvent;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer for the events topic. */
public final class ClusterEventSerializer implements Serializer<ClusterEvent> {
    @Override
    public byte[] serialize(String topic, ClusterEvent data) {
        return data == null ? null : ClusterEventCodec.encode(data);
    }
}
