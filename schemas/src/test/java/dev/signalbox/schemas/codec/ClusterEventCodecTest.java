package dev.signalbox.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.Samples;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClusterEventCodecTest {

    @Test
    void everyKindOfEventSurvivesARoundTrip() {
        for (Map.Entry<String, ClusterEvent> c : new TreeMap<>(Samples.events()).entrySet()) {
            assertEquals(Optional.of(c.getValue()),
                    ClusterEventCodec.decode("test", ClusterEventCodec.encode(c.getValue())), c.getKey());
        }
    }

    @Test
    void annotationInsertionOrderDoesNotChangeTheBytes() {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("a.example.com/x", "1");
        forward.put("z.example.com/y", "2");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("z.example.com/y", "2");
        backward.put("a.example.com/x", "1");
        assertEquals(new String(ClusterEventCodec.encode(ingressWithAnnotations(forward)), StandardCharsets.UTF_8),
                new String(ClusterEventCodec.encode(ingressWithAnnotations(backward)), StandardCharsets.UTF_8));
    }

    @Test
    void encodingTheSameEventTwiceGivesIdenticalBytes() {
        for (Map.Entry<String, ClusterEvent> c : new TreeMap<>(Samples.events()).entrySet()) {
            assertEquals(new String(ClusterEventCodec.encode(c.getValue()), StandardCharsets.UTF_8),
                    new String(ClusterEventCodec.encode(copyOf(c.getValue())), StandardCharsets.UTF_8), c.getKey());
        }
    }

    private record Unreadable(String name, String json) {
    }

    @Test
    void anUnreadableRecordIsSkippedAndCounted() {
        String valid = new String(ClusterEventCodec.encode(Samples.events().get("a TLS Secret")),
                StandardCharsets.UTF_8);
        List<Unreadable> cases = List.of(
                new Unreadable("bytes that are not JSON are skipped", "\u0000\u00ffnot json"),
                new Unreadable("a JSON value that is not an object is skipped", "[1,2,3]"),
                new Unreadable("an event written by a newer format version is skipped",
                        valid.replace("\"formatVersion\":3", "\"formatVersion\":4")),
                new Unreadable("an event with format version 0 is skipped",
                        valid.replace("\"formatVersion\":3", "\"formatVersion\":0")),
                new Unreadable("an event of an unknown kind is skipped",
                        valid.replace("\"kind\":\"Secret\"", "\"kind\":\"Gateway\"")),
                new Unreadable("an UPSERT without state is skipped",
                        valid.replaceAll(",\"state\":\\{[^}]*\\}", "")),
                new Unreadable("an event whose state does not match its kind is skipped",
                        valid.replace("\"kind\":\"Secret\"", "\"kind\":\"Service\"")));
        for (Unreadable c : cases) {
            AtomicLong failures = new AtomicLong();
            Optional<ClusterEvent> decoded = ClusterEventCodec.decode("test",
                    c.json().getBytes(StandardCharsets.UTF_8), failures::incrementAndGet);
            String thrown;
            try {
                ClusterEventCodec.decode(c.json().getBytes(StandardCharsets.UTF_8));
                thrown = "nothing";
            } catch (DecodeException e) {
                thrown = "DecodeException";
            }
            assertEquals(List.of(Optional.empty(), 1L, "DecodeException"), List.of(decoded, failures.get(), thrown),
                    c.name());
        }
    }

    @Test
    void aNullRecordIsSkippedWithoutCounting() {
        AtomicLong failures = new AtomicLong();
        assertEquals(List.of(Optional.empty(), 0L),
                List.of(ClusterEventCodec.decode("test", null, failures::incrementAndGet), failures.get()));
    }

    @Test
    void anUnknownFieldFromAnAdditiveChangeIsIgnored() {
        ClusterEvent event = Samples.events().get("a cluster-scoped IngressClass");
        String json = new String(ClusterEventCodec.encode(event), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"addedInALaterMinorChange\":{\"x\":1},");
        assertEquals(Optional.of(event), ClusterEventCodec.decode("test", json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aServiceWrittenBeforeClusterIpWasPublishedDecodesWithoutOne() {
        ClusterEvent event = Samples.events().get("a ClusterIP Service with a named target port");
        String json = new String(ClusterEventCodec.encode(event), StandardCharsets.UTF_8)
                .replace("\"clusterIP\":\"10.96.0.12\",", "");
        dev.signalbox.schemas.event.ServiceState s = (dev.signalbox.schemas.event.ServiceState) event.state();
        assertEquals(Optional.of(new ClusterEvent(event.formatVersion(), event.clusterId(), event.kind(), event.namespace(),
                        event.name(), event.uid(), event.resourceVersion(), event.op(), event.observedAt(),
                        event.leaderEpoch(), new dev.signalbox.schemas.event.ServiceState(s.type(), s.externalName(),
                                s.ports()))),
                ClusterEventCodec.decode("test", json.getBytes(StandardCharsets.UTF_8)));
    }

    private static ClusterEvent ingressWithAnnotations(Map<String, String> annotations) {
        IngressState s = Samples.ingressState();
        return ClusterEvent.upsert(Samples.key(Kind.INGRESS, "demo", "demo"), "uid", "1", Samples.T0, 1,
                new IngressState(s.ingressClassName(), annotations, s.creationTimestamp(), s.defaultBackend(),
                        s.tls(), s.rules()));
    }

    private static ClusterEvent copyOf(ClusterEvent e) {
        return new ClusterEvent(e.formatVersion(), new String(e.clusterId()), e.kind(), e.namespace(), e.name(),
                e.uid(), e.resourceVersion(), e.op(), e.observedAt(), e.leaderEpoch(), e.state());
    }
}
