package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.ClusterSync;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Op;
import dev.signalbox.schemas.snapshot.SourceOffset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The compiler's model checkpoint on the compacted {@link Topics#COMPILER_MODEL} topic: the last event of
 * every key changed since the previous commit (an UPSERT's event, or a tombstone for a DELETE), plus one
 * meta record with the model's latest observedAt and the events offsets the checkpoint is the fold of.
 * Written inside the snapshot's transaction, so the checkpoint, the snapshot and the consumed offsets agree
 * once the transaction is complete.
 *
 * <p>A reader must take the offsets from the meta record, not from the consumer group: a committed
 * transaction becomes visible partition by partition, as the coordinator writes its markers, so for a moment
 * the group's offsets (in {@code __consumer_offsets}) can be readable while the checkpoint records of the same
 * transaction are not yet (a standby that restored the checkpoint at the group's offsets lost the last change).
 * The meta record lies in the checkpoint's own partition and becomes readable
 * with the records it describes. Owned by the compiler loop's thread.
 */
final class ModelCheckpoint {
    static final String META_KEY = "signalbox/meta";
    /** Prefix of the records keeping each cluster's {@link ClusterSync}, so a restart knows who has synced. */
    static final String CLUSTER_PREFIX = "signalbox/cluster/";

    /**
     * A key's value for the next write (null: a tombstone) and where in the events log it changed last
     * (partition -1 for a rewrite: any commit of another compiler makes it unneeded).
     */
    private record Change(byte[] value, int partition, long offset) {
    }

    private final Map<String, Change> pending = new TreeMap<>();
    private final Map<String, ClusterSync> clustersWritten = new HashMap<>();

    /** Remembers the event's key, read at {@code offset} of events partition {@code partition}, for the next {@link #write}. */
    void record(ClusterEvent e, int partition, long offset) {
        pending.put(e.key().recordKey(), new Change(e.op() == Op.DELETE ? null : ClusterEventCodec.encode(e), partition, offset));
    }

    /** Marks every key as changed: the next write replaces the whole checkpoint ({@code stale} get tombstones). */
    void rewriteAll(ClusterModel model, Set<String> stale) {
        stale.forEach(k -> pending.put(k, new Change(null, -1, -1)));
        clustersWritten.clear();
        model.all().values().forEach(o -> pending.put(o.key().recordKey(), new Change(ClusterEventCodec.encode(
                ClusterEvent.upsert(o.key(), o.uid(), o.resourceVersion(), o.observedAt(), 0, o.state())), -1, -1)));
    }

    /**
     * Another compiler committed the checkpoint with these event offsets (a standby's view, issue 15): the checkpoint
     * in the topic holds every change before them, so only later changes are left to write; which cluster records it
     * holds is not known, so the next write sends all of them.
     */
    void committedAt(Map<TopicPartition, Long> committed) {
        pending.values().removeIf(c -> c.partition() < 0
                || c.offset() < committed.getOrDefault(new TopicPartition(Topics.EVENTS, c.partition()), -1L));
        clustersWritten.clear();
    }

    /** The clusters a loaded checkpoint holds are written already: only their changes are sent. */
    void restored(ClusterModel model) {
        clustersWritten.clear();
        clustersWritten.putAll(model.clusters());
    }

    /**
     * The meta record: the model's latest observedAt, where the fold stopped in each events partition (absent in
     * checkpoints written by older compilers, which are then not used), and the content hash of the table the
     * compiler of build {@code compiledBy} ({@link CompilerBuild}) compiled from that fold (both absent in older
     * checkpoints: a restart then compiles the whole model).
     */
    record Meta(Instant observedUpTo, Map<Integer, Long> events, String compiledBy, String tableHash) {
    }

    /**
     * Sends what changed (objects, and clusters whose sync state changed) and the meta record with {@code cut},
     * the events offsets committed in the same transaction, and {@code tableHash}, the content hash of the table
     * compiled from the model as it is, within the caller's open transaction.
     */
    void write(Producer<String, byte[]> producer, ClusterModel model, List<SourceOffset> cut, String tableHash) {
        model.clusters().forEach((id, sync) -> {
            if (!sync.equals(clustersWritten.get(id))) {
                pending.put(CLUSTER_PREFIX + id, new Change(encode(sync), -1, -1));
                clustersWritten.put(id, sync);
            }
        });

        pending.forEach((k, v) -> producer.send(new ProducerRecord<>(Topics.COMPILER_MODEL, 0, k, v.value())));
        Map<Integer, Long> offsets = new TreeMap<>();
        cut.forEach(o -> offsets.put(o.partition(), o.nextOffset()));
        // Every commit, even with nothing else changed: the offsets it names must be the transaction's.
        producer.send(new ProducerRecord<>(Topics.COMPILER_MODEL, 0, META_KEY,
                encode(new Meta(model.latestObservedAt(), offsets, CompilerBuild.fingerprint(), tableHash))));
        pending.clear();
    }

    private static byte[] encode(Object value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * What a checkpoint held: the keys it had (live ones), whether it held anything at all, and the events
     * offsets (by partition) it is the fold of (empty when its meta record names none).
     */
    record Loaded(Set<String> keys, boolean present, Map<TopicPartition, Long> offsets, String compiledBy,
                  String tableHash) {
    }

    /** Reads the whole checkpoint into {@code model}. */
    static Loaded load(KafkaConnection kafka, ClusterModel model) {
        Properties p = new Properties();
        // Only checkpoints whose transaction committed, i.e. that agree with the committed offsets.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A reader with no group: nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // About one record per live object: take big bites.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Map<String, byte[]> latest = new HashMap<>();
        boolean any = false;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.properties(p),
                new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.COMPILER_MODEL, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    any = true;
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), r.value());
                    }
                }
            }
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        byte[] meta = latest.remove(META_KEY);
        Meta m = meta == null ? null : decodeMeta(meta);
        if (m != null) {
            model.observedUpTo(m.observedUpTo());
            m.events().forEach((partition, offset) -> offsets.put(new TopicPartition(Topics.EVENTS, partition), offset));
        }
        Map<String, byte[]> clusters = new TreeMap<>();
        latest.keySet().removeIf(k -> k.startsWith(CLUSTER_PREFIX) && clusters.put(k, latest.get(k)) == null);
        // Decoded on every core (30,000 JSON records at 10,000 Ingresses, most of a restart's reading), applied in order.
        latest.entrySet().parallelStream()
                .map(e -> ClusterEventCodec.decode(Topics.COMPILER_MODEL + " " + e.getKey(), e.getValue()))
                .toList()
                .forEach(e -> e.ifPresent(model::apply));
        clusters.forEach((k, v) -> {
            try {
                model.restoreCluster(k.substring(CLUSTER_PREFIX.length()), Json.MAPPER.readValue(v, ClusterSync.class));
            } catch (java.io.IOException e) {
                // The next write replaces it; until then the cluster counts as unknown (never waited for).
            }
        });
        Set<String> keys = new java.util.HashSet<>(latest.keySet());
        keys.addAll(clusters.keySet());
        return new Loaded(Set.copyOf(keys), any, Map.copyOf(offsets), m == null ? null : m.compiledBy(),
                m == null ? null : m.tableHash());
    }

    /** The meta record; one written before it named the offsets holds only the observedAt instant. */
    static Meta decodeMeta(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        if (!text.startsWith("{")) {
            return new Meta(Instant.parse(text), Map.of(), null, null);
        }
        try {
            Meta m = Json.MAPPER.readValue(value, Meta.class);
            return new Meta(m.observedUpTo(), m.events() == null ? Map.of() : m.events(), m.compiledBy(), m.tableHash());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
