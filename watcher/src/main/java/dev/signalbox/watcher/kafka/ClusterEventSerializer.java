package dev.signalbox.watcher.kafka;

import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer for the events topic: the Kafka side of {@link ClusterEventCodec}, used by the publisher. */
final class ClusterEventSerializer implements Serializer<ClusterEvent> {
    @Override
    public byte[] serialize(String topic, ClusterEvent data) {
        return data == null ? null : ClusterEventCodec.encode(data);
    }
}
