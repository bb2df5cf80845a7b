package dev.signalbox.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.schemas.Samples;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SnapshotDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SnapshotDeltaCodecTest {
    private static final RoutingSnapshot V1 = Samples.snapshot(1, Samples.table());
    /** Version 2: one endpoint more in the first backend. */
    private static final RoutingSnapshot V2 = Samples.snapshot(2, withEndpoint(Samples.table(), new Endpoint("10.0.0.9", 8080)));

    private static RoutingTable withEndpoint(RoutingTable t, Endpoint extra) {
        List<Backend> backends = new ArrayList<>(t.backends());
        Backend b = backends.get(0);
        List<Endpoint> endpoints = new ArrayList<>(b.endpoints());
        endpoints.add(extra);
        backends.set(0, new Backend(b.id(), b.cluster(), b.namespace(), b.service(), b.servicePort(), endpoints,
                b.unavailableReason(), b.tls()));
        return new RoutingTable(t.virtualHosts(), t.defaultBackend(), backends, t.tls(), t.ingresses(), t.diagnostics());
    }

    @Test
    void aDeltaSurvivesTheWireAndRebuildsTheWholeSnapshotWithItsHash() throws DecodeException {
        SnapshotDelta d = SnapshotDeltaCodec.between(V1.table(), V2);
        byte[] bytes = SnapshotDeltaCodec.encode(d);
        SnapshotDelta back = SnapshotDeltaCodec.decode(bytes);
        assertEquals(d, back);
        assertEquals(V2, SnapshotDeltaCodec.apply(V1, back));
        assertEquals(1, back.changes().backends().size());
        assertTrue(bytes.length < SnapshotCodec.encode(V2).length / 2,
                "one backend's bytes, not the table's: " + bytes.length);
    }

    record Refused(String name, RoutingSnapshot base, byte[] delta, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refused> refused() {
        SnapshotDelta d = SnapshotDeltaCodec.between(V1.table(), V2);
        String json = new String(SnapshotDeltaCodec.encode(d), java.nio.charset.StandardCharsets.UTF_8);
        RoutingTable t = Samples.table();
        RoutingSnapshot otherV1 = Samples.snapshot(1, new RoutingTable(t.virtualHosts().subList(1, t.virtualHosts().size()),
                t.defaultBackend(), t.backends(), t.tls(), t.ingresses(), t.diagnostics()));
        return Stream.of(
                new Refused("A delta on a reader at another version", V2, SnapshotDeltaCodec.encode(d), "follows version 1, not 2"),
                new Refused("A delta on another table of its base version (the hash catches it)", otherV1,
                        SnapshotDeltaCodec.encode(d), "does not match the table it produces"),
                new Refused("A delta whose hash was altered", V1,
                        json.replace(d.contentHash(), "sha256-tree:" + "0".repeat(64)).getBytes(), "does not match"),
                new Refused("A delta of a newer format", V1, json.replace("\"formatVersion\":3", "\"formatVersion\":4").getBytes(),
                        "format version 4 is not supported"),
                new Refused("A full snapshot read as a delta", V1, SnapshotCodec.encode(V2), "has no changes"),
                new Refused("Bytes that are not JSON", V1, new byte[] {1, 2, 3}, ""));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void aDeltaThatCannotYieldThePublishedTableIsRefused(Refused c) {
        DecodeException e = assertThrows(DecodeException.class,
                () -> SnapshotDeltaCodec.apply(c.base(), SnapshotDeltaCodec.decode(c.delta())));
        assertTrue(String.valueOf(e.getMessage()).contains(c.message()), e.getMessage());
    }
}
