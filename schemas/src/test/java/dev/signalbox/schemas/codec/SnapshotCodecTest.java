package dev.signalbox.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.Samples;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {

    @Test
    void aFullSnapshotSurvivesARoundTrip() throws IOException {
        RoutingSnapshot s = Samples.snapshot();
        assertEquals(s, SnapshotCodec.decode(SnapshotCodec.encode(s)));
    }

    @Test
    void theEmptyTableSurvivesARoundTrip() throws IOException {
        RoutingSnapshot s = Samples.snapshot(1, RoutingTable.EMPTY);
        assertEquals(s, SnapshotCodec.decode(SnapshotCodec.encode(s)));
    }

    @Test
    void equalSnapshotsBuiltSeparatelyEncodeToIdenticalBytes() {
        assertEquals(utf8(SnapshotCodec.encode(Samples.snapshot())), utf8(SnapshotCodec.encode(Samples.snapshot())));
    }

    private record HashCase(String name, RoutingTable table, boolean sameHashAsSample) {
    }

    @Test
    void theContentHashFollowsTheTable() {
        RoutingTable t = Samples.table();
        List<Backend> moved = new ArrayList<>(t.backends());
        Backend a = moved.get(0);
        moved.set(0, new Backend(a.id(), a.cluster(), a.namespace(), a.service(), a.servicePort(),
                List.of(new Endpoint("10.0.0.9", 8080)), null));
        List<HashCase> cases = List.of(
                new HashCase("an equal table has the same hash", Samples.table(), true),
                new HashCase("a moved endpoint changes the hash",
                        new RoutingTable(t.virtualHosts(), t.defaultBackend(), moved, t.tls(), t.diagnostics()), false),
                new HashCase("dropping the default backend changes the hash",
                        new RoutingTable(t.virtualHosts(), null, t.backends(), t.tls(), t.diagnostics()), false),
                new HashCase("dropping a diagnostic changes the hash",
                        new RoutingTable(t.virtualHosts(), t.defaultBackend(), t.backends(), t.tls(),
                                t.diagnostics().subList(0, 1)), false));
        String sample = SnapshotCodec.contentHash(t);
        for (HashCase c : cases) {
            assertEquals(c.sameHashAsSample(), sample.equals(SnapshotCodec.contentHash(c.table())), c.name());
        }
    }

    @Test
    void theContentHashNamesItsDefinition() {
        assertEquals(true, SnapshotCodec.contentHash(Samples.table()).matches("sha256-tree:[0-9a-f]{64}"));
    }

    @Test
    void aSnapshotOfFormatVersionTwoIsCheckedByTheHashItWasWrittenWith() throws IOException {
        RoutingSnapshot s = Samples.snapshot();
        RoutingSnapshot old = new RoutingSnapshot(2, s.version(), s.previousVersion(), s.createdAt(), s.provenance(),
                TableHasher.flat(s.table()), s.table(), s.transactions());
        assertEquals(old, SnapshotCodec.decode(SnapshotCodec.encode(old)));
        String edited = utf8(SnapshotCodec.encode(old)).replace("10.0.0.7", "10.6.6.6");
        String outcome;
        try {
            SnapshotCodec.decode(edited.getBytes(StandardCharsets.UTF_8));
            outcome = "accepted";
        } catch (IOException e) {
            outcome = e.getMessage().contains("sha256:") ? "rejected by its sha256: hash" : e.getMessage();
        }
        assertEquals("rejected by its sha256: hash", outcome);
    }

    private record Rejected(String name, String json) {
    }

    @Test
    void aSnapshotThisReaderCannotTrustIsRejected() {
        String valid = utf8(SnapshotCodec.encode(Samples.snapshot()));
        String otherHash = SnapshotCodec.contentHash(RoutingTable.EMPTY);
        List<Rejected> cases = List.of(
                new Rejected("a snapshot whose hash does not match its table is rejected",
                        valid.replace(Samples.snapshot().contentHash(), otherHash)),
                new Rejected("a snapshot whose table was edited after hashing is rejected",
                        valid.replace("10.0.0.7", "10.6.6.6")),
                new Rejected("a snapshot written by a newer format version is rejected",
                        valid.replace("\"formatVersion\":3", "\"formatVersion\":4")),
                new Rejected("a snapshot whose previous version is not version - 1 is rejected",
                        valid.replace("\"previousVersion\":6", "\"previousVersion\":5")),
                new Rejected("a table whose route names a missing backend is rejected",
                        valid.replace("\"backend\":\"east/demo/echo-b:80\"", "\"backend\":\"east/demo/gone:80\"")),
                new Rejected("bytes that are not JSON are rejected", "{\"version\":"));
        for (Rejected c : cases) {
            String outcome;
            try {
                SnapshotCodec.decode(c.json().getBytes(StandardCharsets.UTF_8));
                outcome = "accepted";
            } catch (IOException e) {
                outcome = "rejected";
            }
            assertEquals("rejected", outcome, c.name());
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
