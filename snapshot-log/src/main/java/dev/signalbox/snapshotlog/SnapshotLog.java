package dev.signalbox.snapshotlog;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.SnapshotAssembler;
import dev.signalbox.schemas.codec.SnapshotChunk;
import dev.signalbox.schemas.codec.DecodeException;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.SnapshotDeltaCodec;
import dev.signalbox.schemas.codec.TableHasher;
import dev.signalbox.schemas.snapshot.SnapshotDelta;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the snapshots topic: finds the latest complete snapshot at start, then follows new ones. Used by
 * proxies (to serve), by the compiler (to continue the version sequence) and by the watcher's status
 * reporter. A record that cannot be decoded is logged, counted in this reader's {@link #decodeFailures()} and
 * skipped. Not thread-safe, except {@link #decodeFailures()} and {@link #wakeup()}: one instance per consuming
 * thread. {@link SnapshotWriter} writes what this reads.
 *
 * <p>Deltas (issue 15): a version may be published as its changes against the version before it. Every method
 * here still returns whole snapshots: a delta is applied to the snapshot this reader completed just before it
 * when that is its base version, and otherwise (a reader that starts, or jumps, between a full snapshot and the
 * delta) to the chain read from the latest full snapshot before it ({@link #chainTo}); the content hash of the
 * table it produces is checked either way, so a delta never yields a table the compiler did not publish. A delta
 * without a readable chain is a decode failure: logged, counted, skipped.
 */
public final class SnapshotLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotLog.class);
    public static final TopicPartition PARTITION = new TopicPartition(Topics.SNAPSHOTS, 0);

    private final Consumer<byte[], byte[]> consumer;
    /** Replaced when the reader jumps elsewhere in the log, dropping a partly assembled snapshot. */
    private SnapshotAssembler assembler = new SnapshotAssembler();
    private long firstChunkOffset = -1;
    /** The snapshot this reader completed last, the base of a delta that follows it; null before the first. */
    private RoutingSnapshot current;
    /** The full snapshot {@link #current} was read from (itself when it came whole); null with it. */
    private ChainBase currentBase;
    /** The chain base of the snapshots returned last, by version (a few: {@link #chainBase} is asked right after). */
    private final Map<Long, Based> bases = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Based> eldest) {
            return size() > 64;
        }
    };
    /** Hashes the tables deltas produce, keeping the JSON of the entries the previous table had. */
    private final TableHasher hasher = new TableHasher();
    private final AtomicLong decodeFailures = new AtomicLong();

    public SnapshotLog(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        consumer.assign(List.of(PARTITION));
    }

    /** A consumer that needs no group: it is assigned the partition and never commits. */
    public static SnapshotLog connect(String bootstrapServers, String clientId) {
        return connect(KafkaConnection.of(bootstrapServers), clientId);
    }

    /** {@link #connect(String, String)} with the operator's client settings. */
    public static SnapshotLog connect(KafkaConnection kafka, String clientId) {
        return new SnapshotLog(new KafkaConsumer<>(kafka.properties(properties(clientId)), new ByteArrayDeserializer(),
                new ByteArrayDeserializer()));
    }

    /**
     * A reader for questions about the past ({@code bin/ingress history, show, explain, diff}): it jumps
     * around the topic (by time, by a binary search on versions) and reads a few records at each place, so
     * it fetches small bites instead of the followers' 8 MiB.
     */
    public static SnapshotLog connectForAudit(String bootstrapServers, String clientId) {
        return connectForAudit(KafkaConnection.of(bootstrapServers), clientId);
    }

    /** {@link #connectForAudit(String, String)} with the operator's client settings. */
    public static SnapshotLog connectForAudit(KafkaConnection kafka, String clientId) {
        Properties p = properties(clientId);
        // A probe of the binary search needs one record: do not fetch 8 MiB for it (a bigger batch still comes whole).
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 * 1024));
        // Every fetch is waited for by a person: answer at once with what is there.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        return new SnapshotLog(new KafkaConsumer<>(kafka.properties(p), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    private static Properties properties(String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // Only snapshots whose transaction committed exist; chunks of an aborted one must never be seen.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Readers track their own position; no group, nothing to commit.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A whole multi-chunk snapshot should arrive in few round trips.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
        // fetch.max.wait.ms stays at Kafka's 500 ms. It bounds only a fetch that finds nothing: with fetch.min.bytes
        // at 1 the broker answers a waiting fetch as soon as a committed snapshot is there, so a shorter wait makes a
        // new version no sooner, only more empty fetches (100 ms gave every idle proxy 10 a second, each waking the
        // proxy's follower and the broker's threads on the cores that serve traffic).
        // No JMX reporter: readers take the metrics they need from consumer.metrics() (the proxy's
        // /metrics); registering an MBean per metric costs a new proxy about a tenth of its start.
        p.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        return p;
    }

    /**
     * Finds the latest complete snapshot and leaves the reader positioned after it. Reads a growing window
     * back from the end until one complete snapshot is inside it.
     */
    public Optional<RoutingSnapshot> latest(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long begin = consumer.beginningOffsets(List.of(PARTITION), timeout).get(PARTITION);
        long end = consumer.endOffsets(List.of(PARTITION), timeout).get(PARTITION);
        long window = 64;
        while (true) {
            long start = Math.max(begin, end - window);
            consumer.seek(PARTITION, start);
            RoutingSnapshot found = null;
            while (consumer.position(PARTITION) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("reading the snapshots topic");
                }
                for (RoutingSnapshot s : decode(consumer.poll(Duration.ofMillis(200)).records(PARTITION), deadline)) {
                    found = s;
                }
            }
            if (found != null || start == begin) {
                return Optional.ofNullable(found);
            }
            window *= 4;
        }
    }

    /**
     * The hasher that checked what this reader read: it holds the entry digests of the latest table read, which a
     * compiler continuing that table adopts ({@link TableHasher#adopt}). Used on the reader's thread only.
     */
    public TableHasher hasher() {
        return hasher;
    }

    /** Reads from the oldest retained snapshot on: for audit and replay ("what was routing at time T"). */
    public void seekToBeginning() {
        consumer.seekToBeginning(List.of(PARTITION));
    }

    /** Snapshots completed by records that arrived within {@code timeout}, in version order. */
    public List<RoutingSnapshot> poll(Duration timeout) {
        return pollEntries(timeout).stream().map(Entry::snapshot).toList();
    }

    /**
     * {@link #poll}, with where each snapshot is and, for one applied to the snapshot before it, its delta: a proxy
     * applies that to its compiled table instead of compiling the whole table again.
     */
    public List<Entry> pollEntries(Duration timeout) {
        return entries(consumer.poll(timeout).records(PARTITION), Long.MAX_VALUE, System.nanoTime() + CHAIN_TIMEOUT.toNanos());
    }

    private List<RoutingSnapshot> decode(List<ConsumerRecord<byte[], byte[]>> records, long deadline) {
        return entries(records, Long.MAX_VALUE, deadline).stream().map(Entry::snapshot).toList();
    }

    /** How long reading a delta's chain from its full snapshot may take when the caller gave no deadline. */
    private static final Duration CHAIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The snapshots the records complete, those whose last chunk is before {@code bound}. A delta this reader
     * cannot apply to the snapshot before it sends the reader to its chain; the reader then continues after the
     * delta, and the records of this batch after it are fetched again.
     */
    private List<Entry> entries(List<ConsumerRecord<byte[], byte[]>> records, long bound, long deadline) {
        List<Entry> out = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.offset() >= bound) {
                break;
            }
            try {
                SnapshotChunk chunk = SnapshotRecords.chunk(r.headers(), r.value());
                if (chunk.index() == 0) {
                    firstChunkOffset = r.offset();
                }
                Optional<byte[]> whole = assembler.accept(chunk);
                if (whole.isEmpty()) {
                    continue;
                }
                Instant at = Instant.ofEpochMilli(r.timestamp());
                if (!chunk.delta()) {
                    current = SnapshotCodec.decode(whole.get(), hasher);
                    currentBase = new ChainBase(current.version(), whole.get().length);
                    out.add(based(new Entry(current, firstChunkOffset, r.offset(), at)));
                    continue;
                }
                SnapshotDelta delta = SnapshotDeltaCodec.decode(whole.get());
                if (current != null && current.version() == delta.previousVersion()) {
                    try {
                        current = SnapshotDeltaCodec.apply(current, delta, hasher);
                        out.add(based(new Entry(current, firstChunkOffset, r.offset(), at, delta)));
                        continue;
                    } catch (DecodeException e) {
                        LOG.warn("snapshot delta {} does not apply to this reader's version {} ({}); reading its chain",
                                delta.version(), current.version(), e.getMessage());
                    }
                }
                long first = firstChunkOffset;
                current = null;
                currentBase = null;
                Chained chained = chainTo(delta, first, r.offset(), deadline);
                consumer.seek(PARTITION, r.offset() + 1);
                assembler = new SnapshotAssembler();
                if (chained == null) {
                    decodeFailures.incrementAndGet();
                    LOG.warn("skipping snapshot delta {} at {}-{}@{}: no full snapshot before it leads to it", delta.version(),
                            r.topic(), r.partition(), first);
                } else {
                    current = chained.snapshot();
                    currentBase = chained.base();
                    out.add(based(new Entry(current, first, r.offset(), at)));
                }
                // The reader was moved: the rest of this batch is fetched again from after the delta.
                break;
            } catch (IOException | RuntimeException e) {
                decodeFailures.incrementAndGet();
                LOG.warn("skipping undecodable snapshot record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
        return out;
    }

    /**
     * The whole snapshot {@code delta} (its chunks at [{@code first}, {@code last}]) publishes, read from the latest
     * full snapshot before it through the deltas in between, each applied and hash-checked; null when no full
     * snapshot retained before it leads to it. Reads a growing window back from the delta, as {@link #latest} does.
     * Leaves the consumer's position anywhere: the caller seeks.
     */
    private Chained chainTo(SnapshotDelta delta, long first, long last, long deadline) {
        long begin = beginningOffset(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        long window = 64;
        while (true) {
            long start = Math.max(begin, first - window);
            Chained s = replay(start, last + 1, deadline);
            if (s != null && s.snapshot().version() == delta.version()) {
                return s;
            }
            if (start == begin) {
                return null;
            }
            window *= 4;
        }
    }

    /**
     * The snapshot the records in [{@code from}, {@code to}) end with, read from the first full snapshot among
     * them; null when a delta in the range does not follow what was read before it.
     */
    private Chained replay(long from, long to, long deadline) {
        SnapshotAssembler chunks = new SnapshotAssembler();
        consumer.seek(PARTITION, from);
        RoutingSnapshot at = null;
        ChainBase base = null;
        while (consumer.position(PARTITION) < to) {
            checkDeadline(deadline);
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(PARTITION)) {
                if (r.offset() >= to) {
                    break;
                }
                try {
                    SnapshotChunk chunk = SnapshotRecords.chunk(r.headers(), r.value());
                    Optional<byte[]> whole = chunks.accept(chunk);
                    if (whole.isEmpty()) {
                        continue;
                    }
                    if (!chunk.delta()) {
                        at = SnapshotCodec.decode(whole.get(), hasher);
                        base = new ChainBase(at.version(), whole.get().length);
                    } else if (at != null) {
                        SnapshotDelta d = SnapshotDeltaCodec.decode(whole.get());
                        at = at.version() == d.previousVersion() ? SnapshotDeltaCodec.apply(at, d, hasher) : null;
                    }
                } catch (IOException | RuntimeException e) {
                    // A broken link: what follows cannot be trusted until the next full snapshot.
                    at = null;
                }
            }
        }
        return at == null ? null : new Chained(at, base);
    }

    /** A snapshot read through its chain, and the full snapshot the chain starts from. */
    private record Chained(RoutingSnapshot snapshot, ChainBase base) {
    }

    /**
     * The full snapshot a reader's latest snapshot was built on: its version and encoded size. A compiler that
     * follows the topic publishes its next version as a delta on that chain (issue 15), and needs both to keep
     * readers' chains within its plan.
     */
    public record ChainBase(long version, long bytes) {
    }

    private record Based(RoutingSnapshot snapshot, ChainBase base) {
    }

    /** Notes the chain base of the snapshot an entry returns (the reader's current one). */
    private Entry based(Entry e) {
        bases.put(e.snapshot().version(), new Based(e.snapshot(), currentBase));
        return e;
    }

    /**
     * The full snapshot {@code snapshot}, one of the last this reader returned, was read from (itself when it came
     * whole); empty for any other.
     */
    public Optional<ChainBase> chainBase(RoutingSnapshot snapshot) {
        Based b = bases.get(snapshot.version());
        return b != null && b.snapshot() == snapshot ? Optional.ofNullable(b.base()) : Optional.empty();
    }

    /**
     * A snapshot as it is in the topic.
     *
     * @param firstOffset the offset of its first chunk
     * @param offset      the offset of its last chunk: the snapshot exists from the next offset on
     * @param publishedAt the timestamp of its last chunk, when the compiler published it
     * @param delta       the delta that made it of the snapshot read just before it (issue 15), or null: a full
     *                    snapshot, or one read through its chain
     */
    public record Entry(RoutingSnapshot snapshot, long firstOffset, long offset, Instant publishedAt, SnapshotDelta delta) {
        public Entry(RoutingSnapshot snapshot, long firstOffset, long offset, Instant publishedAt) {
            this(snapshot, firstOffset, offset, publishedAt, null);
        }
    }

    /** Whether the snapshots topic exists; waits at most {@code timeout} for a broker to say. */
    public boolean topicExists(Duration timeout) {
        List<org.apache.kafka.common.PartitionInfo> infos = consumer.partitionsFor(Topics.SNAPSHOTS, timeout);
        return infos != null && !infos.isEmpty();
    }

    /** The oldest offset still retained. */
    public long beginningOffset(Duration timeout) {
        return consumer.beginningOffsets(List.of(PARTITION), timeout).get(PARTITION);
    }

    /** The offset of the next record this reader reads. */
    public long position() {
        return consumer.position(PARTITION);
    }

    /** The offset the next snapshot will have. */
    public long endOffset(Duration timeout) {
        return consumer.endOffsets(List.of(PARTITION), timeout).get(PARTITION);
    }

    /**
     * The first offset published at or after {@code time}, by the broker's time index (offsetsForTimes, no
     * scan), or the end offset when nothing was published since.
     */
    public long offsetAt(Instant time, Duration timeout) {
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(PARTITION, time.toEpochMilli()), timeout).get(PARTITION);
        return found == null ? endOffset(timeout) : found.offset();
    }

    /** The snapshot in force at {@code time}: the last one published at or before it. */
    public Optional<Entry> inForceAt(Instant time, Duration timeout) {
        return lastBefore(offsetAt(time.plusMillis(1), timeout), timeout);
    }

    /**
     * The last complete snapshot whose chunks are all before {@code bound}. Reads a growing window back from
     * the bound, as {@link #latest} does from the end: 4 offsets first (a one-record snapshot and its
     * transaction's commit marker, twice), since every snapshot in the window is decoded and hash-checked.
     */
    public Optional<Entry> lastBefore(long bound, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long begin = beginningOffset(timeout);
        long window = 4;
        while (true) {
            long start = Math.max(begin, bound - window);
            List<Entry> found = read(start, bound, Integer.MAX_VALUE, deadline);
            if (!found.isEmpty() || start == begin) {
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
            }
            window *= 4;
        }
    }

    /** Up to {@code limit} snapshots completed in [{@code from}, {@code to}), oldest first. */
    public List<Entry> read(long from, long to, int limit, Duration timeout) {
        return read(from, to, limit, System.nanoTime() + timeout.toNanos());
    }

    private List<Entry> read(long from, long to, int limit, long deadline) {
        assembler = new SnapshotAssembler();
        consumer.seek(PARTITION, from);
        List<Entry> out = new java.util.ArrayList<>();
        while (consumer.position(PARTITION) < to && out.size() < limit) {
            checkDeadline(deadline);
            out.addAll(entries(consumer.poll(Duration.ofMillis(200)).records(PARTITION), to, deadline));
        }
        assembler = new SnapshotAssembler();
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /**
     * The snapshot with {@code version}, found without a scan: versions grow with offsets, almost linearly (one
     * record and one transaction marker per version, more for a snapshot of several chunks), so an
     * interpolation search finds it in a few probes, each reading the version header of one record; a probe that
     * makes too little progress is followed by a bisection, so the worst case stays logarithmic.
     */
    public Optional<Entry> version(long version, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long end = endOffset(timeout);
        ConsumerRecord<byte[], byte[]> first = firstAtOrAfter(beginningOffset(timeout), end, deadline);
        if (first == null) {
            return Optional.empty();
        }
        long from = first.offset();
        if (versionOf(first) < version) {
            // lo: a record of a lower version; the first record at or after hi has the version or a higher one
            // (or hi is the end). Versions at lo and hi drive the interpolation; hiVersion is a guess until seen.
            long lo = first.offset();
            long loVersion = versionOf(first);
            long hi = end;
            long hiVersion = -1;
            boolean bisect = false;
            while (hi - lo > 1) {
                long mid;
                if (bisect) {
                    mid = lo + (hi - lo) / 2;
                } else if (hiVersion > loVersion) {
                    mid = lo + (long) ((double) (version - loVersion) / (hiVersion - loVersion) * (hi - lo));
                } else {
                    // No version seen above: about two offsets per version (a record and a commit marker).
                    mid = lo + 2 * (version - loVersion) - 1;
                }
                mid = Math.max(lo + 1, Math.min(hi - 1, mid));
                long width = hi - lo;
                ConsumerRecord<byte[], byte[]> r = firstAtOrAfter(mid, hi, deadline);
                if (r != null && versionOf(r) < version) {
                    lo = r.offset();
                    loVersion = versionOf(r);
                } else {
                    hi = mid;
                    if (r != null) {
                        hiVersion = versionOf(r);
                    }
                }
                // An interpolation that did not halve the range is followed by a bisection.
                bisect = !bisect && hi - lo > width / 2;
            }
            from = hi;
        }
        for (Entry e : read(from, end, 1, deadline)) {
            if (e.snapshot().version() == version) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The first record at or after {@code offset} and before {@code bound}, or null. */
    private ConsumerRecord<byte[], byte[]> firstAtOrAfter(long offset, long bound, long deadline) {
        consumer.seek(PARTITION, offset);
        while (consumer.position(PARTITION) < bound) {
            checkDeadline(deadline);
            List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(Duration.ofMillis(200)).records(PARTITION);
            if (!records.isEmpty()) {
                return records.get(0).offset() < bound ? records.get(0) : null;
            }
        }
        return null;
    }

    private static long versionOf(ConsumerRecord<byte[], byte[]> r) {
        try {
            return SnapshotRecords.chunk(r.headers(), r.value()).version();
        } catch (RuntimeException e) {
            // An undecodable record sorts by its key, the zero-padded version, when it has one.
            try {
                return Long.parseLong(new String(r.key(), java.nio.charset.StandardCharsets.US_ASCII));
            } catch (RuntimeException notANumber) {
                return -1;
            }
        }
    }

    private static void checkDeadline(long deadline) {
        if (System.nanoTime() > deadline) {
            throw new org.apache.kafka.common.errors.TimeoutException("reading the snapshots topic");
        }
    }

    /** Records this reader skipped because they could not be decoded; read from any thread (a proxy's /metrics). */
    public long decodeFailures() {
        return decodeFailures.get();
    }

    public void wakeup() {
        consumer.wakeup();
    }

    public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() {
        return consumer.metrics();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
