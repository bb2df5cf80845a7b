package dev.signalbox.snapshotlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.codec.SnapshotChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class SnapshotRecordsTest {
    @Test
    void aChunkTravelsInARecordsHeadersAndComesBackTheSame() {
        SnapshotChunk c = SnapshotChunk.split(42, new byte[250], 100).get(1);
        List<String> headers = new ArrayList<>();
        for (Header h : SnapshotRecords.headers(c)) {
            headers.add(h.key() + "=" + new String(h.value(), StandardCharsets.US_ASCII));
        }
        SnapshotChunk back = SnapshotRecords.chunk(SnapshotRecords.headers(c), c.data());
        assertEquals(List.of("signalbox.format=" + dev.signalbox.schemas.FormatVersion.CURRENT, "signalbox.snapshot.version=42", "signalbox.chunk.index=1",
                        "signalbox.chunk.count=3", "42 1 3 100"),
                concat(headers, back.version() + " " + back.index() + " " + back.count() + " " + back.data().length));
    }

    @Test
    void aRecordWithoutChunkHeadersIsRefused() {
        String outcome;
        try {
            SnapshotRecords.chunk(new RecordHeaders(), new byte[1]);
            outcome = "accepted";
        } catch (IllegalArgumentException e) {
            outcome = e.getMessage();
        }
        assertEquals("chunk record without header signalbox.snapshot.version", outcome);
    }

    private static List<String> concat(List<String> first, String last) {
        List<String> all = new ArrayList<>(first);
        all.add(last);
        return all;
    }
}
