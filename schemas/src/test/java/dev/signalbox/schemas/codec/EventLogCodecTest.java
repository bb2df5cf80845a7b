package dev.signalbox.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.signalbox.schemas.Samples;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EventLogRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventLogCodecTest {
    @Test
    void everyRecordOfTheEventsTopicComesBackEqual() throws DecodeException {
        List<EventLogRecord> records = List.of(Samples.markedEvent(), Samples.marker(),
                Samples.events().get("a DELETE without state"), Samples.marker().withTransaction(null),
                Samples.heartbeat(), Samples.stale(), Samples.events().get("a ServiceExport"));
        for (EventLogRecord r : records) {
            assertEquals(r, EventLogCodec.decode(EventLogCodec.encode(r)));
        }
    }

    @Test
    void anEventWrittenBeforeTransactionMarksReadsWithoutOne() throws DecodeException {
        ClusterEvent plain = Samples.events().get("a TLS Secret");
        assertEquals(plain, EventLogCodec.decode(ClusterEventCodec.encode(plain)));
        assertEquals(null, plain.transaction());
    }

    @Test
    void readersOfEventsOnlyPassOverAMarkerWithoutCountingAFailure() {
        AtomicInteger failures = new AtomicInteger();
        assertEquals(Optional.empty(), ClusterEventCodec.decode("p-0@1", EventLogCodec.encode(Samples.marker()),
                failures::incrementAndGet));
        assertEquals(Optional.empty(), ClusterEventCodec.decode("p-0@2", "{junk".getBytes(StandardCharsets.UTF_8),
                failures::incrementAndGet));
        assertEquals(1, failures.get(), "only the junk counts as undecodable");
    }

    @Test
    void theTransactionOfAnUndecodableRecordIsStillRead() {
        String newer = "{\"formatVersion\":9,\"clusterId\":\"east\",\"transaction\":{\"producer\":\"p\",\"session\":\"s\","
                + "\"epoch\":1,\"sequence\":4,\"records\":2}}";
        assertThrows(DecodeException.class, () -> EventLogCodec.decode(newer.getBytes(StandardCharsets.UTF_8)));
        assertEquals(4, EventLogCodec.transactionOf(newer.getBytes(StandardCharsets.UTF_8)).orElseThrow().sequence());
        assertEquals(Optional.empty(), EventLogCodec.transactionOf("not json".getBytes(StandardCharsets.UTF_8)));
    }
}
