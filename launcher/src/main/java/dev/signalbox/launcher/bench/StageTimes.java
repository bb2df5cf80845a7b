package dev.signalbox.launcher.bench;

import dev.signalbox.kafka.TopicDump;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.snapshotlog.SnapshotRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Splits the benchmark's change times into pipeline stages using the record timestamps in both topics:
 * file written -> event record sent (watcher), -> snapshot record sent (compiler), -> served by every
 * proxy (snapshot fetch, decode, swap, request). Milliseconds, wall clock of this one machine.
 */
final class StageTimes {
    private StageTimes() {
    }

    static void print(String bootstrap, long[] writtenAt, long[] servedAt) {
        Map<Instant, Long> eventSentAt = new HashMap<>();
        Map<Instant, Long> snapshotSentAt = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicDump.readCommitted(bootstrap, Topics.EVENTS)) {
            ClusterEventCodec.decode("bench", r.value()).filter(e -> e.kind() == Kind.INGRESS)
                    .map(ClusterEvent::observedAt).ifPresent(t -> eventSentAt.put(t, r.timestamp()));
        }
        for (ConsumerRecord<byte[], byte[]> r : TopicDump.readCommitted(bootstrap, Topics.SNAPSHOTS)) {
            try {
                SnapshotChunk c = SnapshotRecords.chunk(r.headers(), r.value());
                if (c.count() == 1) {
                    // A delta (issue 15) carries the version's createdAt as a whole snapshot does.
                    Instant createdAt = c.delta() ? dev.signalbox.schemas.codec.SnapshotDeltaCodec.decode(c.data()).createdAt()
                            : SnapshotCodec.decode(c.data()).createdAt();
                    snapshotSentAt.putIfAbsent(createdAt, r.timestamp());
                }
            } catch (Exception e) {
                // not a single-chunk snapshot: not part of this benchmark
            }
        }
        // Changes are sequential, so the i-th Ingress event after the first is the i-th change.
        List<Instant> observed = new ArrayList<>(eventSentAt.keySet());
        observed.sort(null);
        int n = Math.min(writtenAt.length, observed.size() - 1);
        List<Long> watcher = new ArrayList<>(), compiler = new ArrayList<>(), proxy = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant o = observed.get(observed.size() - n + i);
            Long sent = eventSentAt.get(o);
            Long snap = snapshotSentAt.get(o);
            if (snap == null) {
                continue;
            }
            watcher.add(sent - writtenAt[i]);
            compiler.add(snap - sent);
            proxy.add(servedAt[i] - snap);
        }
        System.out.printf(Locale.ROOT, "  stage medians over %d changes: watcher %d ms, compiler %d ms, proxies %d ms%n",
                watcher.size(), median(watcher), median(compiler), median(proxy));
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return -1;
        }
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }
}
