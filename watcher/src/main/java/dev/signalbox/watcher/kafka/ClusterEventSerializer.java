package dev.signalbox.watcher.kafka;

import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.EventLogRecord;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer for the events topic (events and sync markers): the Kafka side of {@link EventLogCodec}. */
final class ClusterEventSerializer implements Serializer<EventLogRecord> {
    @Override
    public byte[] serialize(String topic, EventLogRecord data) {
        return data == null ? null : EventLogCodec.encode(data);
    }
}
