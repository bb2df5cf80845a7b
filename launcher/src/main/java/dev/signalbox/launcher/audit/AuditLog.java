package dev.signalbox.launcher.audit;

import dev.signalbox.routing.audit.Cause;
import dev.signalbox.routing.audit.ForeignIngress;
import dev.signalbox.routing.audit.TableDiff;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.ack.ProxyAck;
import dev.signalbox.schemas.codec.DecodeException;
import dev.signalbox.schemas.codec.ProxyAckCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.SourceOffset;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The two logs as the audit commands read them: snapshots by version or time (no scan: a binary search on
 * versions, the broker's time index for times) and events by offset range (the causes of a version lie
 * between its predecessor's provenance and its own). Used by one command's thread.
 */
public final class AuditLog implements AutoCloseable {
    /** How long one question may wait for Kafka before the command gives up (exit 3). */
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final KafkaConnection kafka;
    private final SnapshotLog snapshots;
    private KafkaConsumer<byte[], byte[]> events;
    /** The events consumer being made and connected on another thread while the snapshots are read. */
    private java.util.concurrent.CompletableFuture<KafkaConsumer<byte[], byte[]>> eventsReady;

    private AuditLog(KafkaConnection kafka, SnapshotLog snapshots) {
        this.kafka = kafka;
        this.snapshots = snapshots;
    }

    /**
     * Starts making the events consumer and fetching the events topic's metadata on another thread, for a
     * question that will read events: a new client costs a few hundred milliseconds, spent while the
     * snapshots are looked up instead of after.
     */
    public AuditLog prepareEvents() {
        if (eventsReady == null && events == null) {
            eventsReady = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                KafkaConsumer<byte[], byte[]> c = newEventsConsumer();
                c.partitionsFor(Topics.EVENTS, TIMEOUT);
                return c;
            }, r -> {
                Thread t = new Thread(r, "signalbox-audit-events-connect");
                t.setDaemon(true);
                t.start();
            });
        }
        return this;
    }

    /**
     * Connects and checks that the snapshots topic exists.
     *
     * @throws KafkaUnavailable when no broker answers within {@code wait} or the topic is missing
     */
    public static AuditLog open(KafkaConnection kafka, Duration wait) {
        SnapshotLog log = SnapshotLog.connectForAudit(kafka, "signalbox-audit");
        AuditLog audit = new AuditLog(kafka, log);
        try {
            boolean exists;
            try {
                exists = log.topicExists(wait);
            } catch (TimeoutException e) {
                throw new KafkaUnavailable("cannot reach Kafka at " + kafka + " within " + wait.toSeconds() + " s");
            }
            if (!exists) {
                throw new KafkaUnavailable("topic " + Topics.SNAPSHOTS + " does not exist at " + kafka);
            }
            return audit;
        } catch (RuntimeException e) {
            audit.close();
            throw e;
        }
    }

    private List<PartitionInfo> checkTopic(String topic, Duration wait) {
        List<PartitionInfo> infos;
        try {
            infos = eventsConsumer().partitionsFor(topic, wait);
        } catch (TimeoutException e) {
            throw new KafkaUnavailable("cannot reach Kafka at " + kafka + " within " + wait.toSeconds() + " s");
        }
        if (infos == null || infos.isEmpty()) {
            throw new KafkaUnavailable("topic " + topic + " does not exist at " + kafka);
        }
        return infos;
    }

    public SnapshotLog snapshots() {
        return snapshots;
    }

    /** The latest snapshot. */
    public Optional<Entry> latest() {
        return snapshots.lastBefore(snapshots.endOffset(TIMEOUT), TIMEOUT);
    }

    public Optional<Entry> version(long version) {
        return snapshots.version(version, TIMEOUT);
    }

    public Optional<Entry> inForceAt(Instant time) {
        return snapshots.inForceAt(time, TIMEOUT);
    }

    /** The snapshot before {@code e} (null for version 1, or when it is older than the retained log). */
    public Entry previous(Entry e) {
        if (e.snapshot().version() == 1) {
            return null;
        }
        return snapshots.lastBefore(e.firstOffset(), TIMEOUT).orElse(null);
    }

    /**
     * The events each of {@code entries} was compiled from beyond its predecessor: entry i's causes are the
     * events between entry i-1's provenance ({@code before}'s for the first; the log's start when null) and its
     * own. Reads each partition's range once.
     */
    public List<List<Cause>> causes(Entry before, List<Entry> entries) {
        List<List<Cause>> out = new ArrayList<>();
        if (entries.isEmpty()) {
            return out;
        }
        Map<Integer, Long> from = offsets(before == null ? List.of() : before.snapshot().provenance());
        Map<Integer, Long> to = offsets(entries.get(entries.size() - 1).snapshot().provenance());
        List<Cause> all = read(from, to);
        Map<Integer, Long> lower = from;
        for (Entry e : entries) {
            Map<Integer, Long> upper = offsets(e.snapshot().provenance());
            List<Cause> mine = new ArrayList<>();
            for (Cause c : all) {
                if (c.offset() >= lower.getOrDefault(c.partition(), 0L) && c.offset() < upper.getOrDefault(c.partition(), 0L)) {
                    mine.add(c);
                }
            }
            out.add(mine);
            lower = upper;
        }
        return out;
    }

    /**
     * The Ingresses in the events before {@code provenance} that the table does not own, as their latest
     * events left them: why a host some Ingress names has no route. Reads the events log up to the snapshot
     * (only asked on a miss for an unknown host).
     */
    public List<ForeignIngress> foreignIngresses(RoutingSnapshot snapshot) {
        Map<ObjectKey, ClusterEvent> latest = new LinkedHashMap<>();
        scan(Map.of(), offsets(snapshot.provenance()), (r, e) -> {
            if (e.kind() == Kind.INGRESS) {
                latest.put(e.key(), e);
            }
        });
        List<ForeignIngress> out = new ArrayList<>();
        for (ClusterEvent e : latest.values()) {
            String id = e.clusterId() + "/" + e.namespace() + "/" + e.name();
            if (e.state() instanceof IngressState s && !snapshot.table().ingresses().contains(id)) {
                String cls = s.ingressClassName() != null ? s.ingressClassName() : s.annotations().get("kubernetes.io/ingress.class");
                out.add(new ForeignIngress(e.clusterId(), e.namespace(), e.name(), cls,
                        s.rules().stream().map(IngressState.Rule::host).filter(h -> h != null).toList()));
            }
        }
        return out;
    }

    /**
     * The causes of the latest version at or before {@code e} (looking back at most {@code maxVersions}) whose
     * difference from its predecessor touches the route, its backend or the backend's endpoints; empty when
     * none within that bound.
     */
    public List<Cause> lastChanged(Entry e, String virtualHost, String path, String backendId, int maxVersions) {
        Entry current = e;
        List<Entry> older = new ArrayList<>();
        // The versions before, read a block at a time rather than one lookup per version; small first (the
        // change is usually close), then larger.
        int block = 8;
        for (int i = 0; i < maxVersions && current != null; i++) {
            if (older.isEmpty() && current.snapshot().version() > 1) {
                older = new ArrayList<>(before(current.firstOffset(), block));
                block = Math.min(64, block * 4);
            }
            Entry prev = older.isEmpty() ? null : older.remove(older.size() - 1);
            RoutingSnapshot a = prev == null ? null : prev.snapshot();
            // Most versions leave the route alone: the records say so without building a diff.
            if (TableDiff.mayTouchRoute(a, current.snapshot(), virtualHost, path, backendId)
                    && TableDiff.of(a, current.snapshot()).touchesRoute(virtualHost, path, backendId)) {
                return causes(prev, List.of(current)).get(0);
            }
            current = prev;
        }
        return List.of();
    }

    /** At least {@code count} snapshots completed before {@code bound} (fewer at the log's start), oldest first. */
    private List<Entry> before(long bound, int count) {
        long begin = snapshots.beginningOffset(TIMEOUT);
        long window = 2L * count;
        while (true) {
            long start = Math.max(begin, bound - window);
            List<Entry> found = snapshots.read(start, bound, Integer.MAX_VALUE, TIMEOUT);
            if (found.size() >= count || start == begin) {
                return found;
            }
            window *= 4;
        }
    }

    /**
     * The proxies' acknowledgements published at or after {@code since}, in log order (the broker's time index
     * finds where to start).
     *
     * @throws KafkaUnavailable when the acknowledgements topic does not exist
     */
    public List<ProxyAck> acksSince(Instant since) {
        checkTopic(Topics.PROXY_ACKS, TIMEOUT);
        KafkaConsumer<byte[], byte[]> c = eventsConsumer();
        TopicPartition tp = new TopicPartition(Topics.PROXY_ACKS, 0);
        c.assign(List.of(tp));
        long end = c.endOffsets(List.of(tp), TIMEOUT).get(tp);
        OffsetAndTimestamp start = c.offsetsForTimes(Map.of(tp, since.toEpochMilli()), TIMEOUT).get(tp);
        c.seek(tp, start == null ? end : start.offset());
        List<ProxyAck> out = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (c.position(tp) < end) {
            if (System.nanoTime() > deadline) {
                throw new KafkaUnavailable("reading the acknowledgements topic took longer than " + TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (r.offset() < end && r.value() != null) {
                    try {
                        out.add(ProxyAckCodec.decode(r.value()));
                    } catch (DecodeException e) {
                        // Not an acknowledgement this reader knows: skipped, as every reader of the pipeline does.
                    }
                }
            }
        }
        return out;
    }

    private static Map<Integer, Long> offsets(List<SourceOffset> provenance) {
        Map<Integer, Long> m = new HashMap<>();
        provenance.stream().filter(o -> o.topic().equals(Topics.EVENTS)).forEach(o -> m.put(o.partition(), o.nextOffset()));
        return m;
    }

    private List<Cause> read(Map<Integer, Long> from, Map<Integer, Long> to) {
        List<Cause> out = new ArrayList<>();
        scan(from, to, (r, e) -> out.add(new Cause(e.clusterId(), e.kind().apiName(), e.namespace(), e.name(), e.op().name(),
                r.partition(), r.offset(), e.observedAt())), (r, l) -> out.add(new Cause(l.clusterId(), ClusterLiveness.TYPE,
                "", l.clusterId(), l.state().name(), r.partition(), r.offset(), l.observedAt())));
        return out;
    }

    private interface EventSink {
        void accept(ConsumerRecord<byte[], byte[]> record, ClusterEvent event);
    }

    /** Decisions about clusters (issue 14): a cluster recorded stale, or removed, changes the table too. */
    private interface LivenessSink {
        void accept(ConsumerRecord<byte[], byte[]> record, ClusterLiveness decision);
    }

    private void scan(Map<Integer, Long> from, Map<Integer, Long> to, EventSink sink) {
        scan(from, to, sink, (r, l) -> { });
    }

    /**
     * Every decodable event in [from, to) of each partition {@code to} names (from 0 where {@code from} has none),
     * and every liveness decision; sync markers and heartbeats are passed over.
     */
    private void scan(Map<Integer, Long> from, Map<Integer, Long> to, EventSink sink, LivenessSink liveness) {
        KafkaConsumer<byte[], byte[]> c = eventsConsumer();
        Map<TopicPartition, Long> until = new HashMap<>();
        to.forEach((p, end) -> {
            if (end > from.getOrDefault(p, 0L)) {
                until.put(new TopicPartition(Topics.EVENTS, p), end);
            }
        });
        c.assign(until.keySet());
        until.keySet().forEach(tp -> c.seek(tp, from.getOrDefault(tp.partition(), 0L)));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<TopicPartition> behind = new ArrayList<>(until.keySet());
        while (true) {
            behind.removeIf(tp -> c.position(tp) >= until.get(tp));
            if (behind.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new KafkaUnavailable("reading the events topic took longer than " + TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (r.offset() < until.get(new TopicPartition(r.topic(), r.partition()))) {
                    EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(), r.value(), () -> { })
                            .ifPresent(e -> {
                                if (e instanceof ClusterEvent ce) {
                                    sink.accept(r, ce);
                                } else if (e instanceof ClusterLiveness l) {
                                    liveness.accept(r, l);
                                }
                            });
                }
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> eventsConsumer() {
        if (events == null && eventsReady != null) {
            try {
                events = eventsReady.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof TimeoutException) {
                    throw new KafkaUnavailable("cannot reach Kafka at " + kafka + ": " + e.getCause().getMessage());
                }
                throw e;
            } finally {
                eventsReady = null;
            }
        }
        if (events == null) {
            events = newEventsConsumer();
        }
        return events;
    }

    private KafkaConsumer<byte[], byte[]> newEventsConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "signalbox-audit-events");
        // The compiler saw committed events only; so do its causes.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A reader with no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // No JMX reporter: a command lives for a second; registering MBeans is a good part of that.
        p.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        return new KafkaConsumer<>(kafka.properties(p), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() {
        snapshots.close();
        if (eventsReady != null) {
            eventsReady.thenAccept(KafkaConsumer::close);
        }
        if (events != null) {
            events.close(Duration.ZERO);
        }
    }
}
