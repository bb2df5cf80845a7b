package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.compiler.CompilerMetrics;
import dev.signalbox.compiler.compile.IncrementalCompiler;
import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.codec.TableHasher;
import dev.signalbox.compiler.model.ClusterSync;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ClusterLiveness;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.TransactionMark;
import dev.signalbox.schemas.snapshot.SourceTransaction;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.SourceOffset;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One life of the compiler: recover the model and stand by, following the events and the snapshots (a warm
 * standby); once told it is active, fence older compilers, catch up the tail and publish snapshots until stopped
 * or until a Kafka error ends it (the {@link dev.signalbox.compiler.Compiler} decides whether to start another
 * life). Runs on one thread, which owns the model and every client.
 *
 * <p>Warm standby (issue 15): while standing by, the life folds the events exactly as when active (read_committed,
 * whole transactions only) and reads every snapshot published, so it knows the last version, its hash and its
 * provenance. It writes nothing. At takeover ({@link #takeOver}) its {@code initTransactions()} fences the
 * previous active compiler; then, as nothing more can commit, it reads the snapshots topic to its end and the
 * group's committed offsets, keeps of the transactions it noted only those after the last snapshot, and of the
 * checkpoint changes only those after the committed offsets, and publishes once caught up with the log's end.
 *
 * <p>Exactly-once: the chunks of a snapshot and the event offsets it was compiled from are committed in
 * one Kafka transaction, with a checkpoint of the changed part of the model ({@link ModelCheckpoint}). On start
 * the model is restored from that checkpoint (or, without one, folded from the events before the latest
 * snapshot's provenance), and
 * the version sequence continues from the latest snapshot in the topic, so a crash never skips or repeats
 * a version.
 *
 * <p>Whole transactions only (issue 21): records are read into per-partition buffers and applied to the
 * model only as whole watcher transactions ({@link TransactionBoundary}), so a version never holds part of
 * a source change; its provenance is that cut (the offsets of the first record not applied) and the
 * transactions applied since the previous version. Nothing is published before the clusters that write
 * have recorded the end of their initial lists ({@link SyncGate}), so a proxy is never ready on a table
 * missing a cluster's initial state.
 */
public final class CompilerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompilerLoop.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    /** A standby's poll: it looks whether it won the lease between polls, so this is part of the takeover time. */
    private static final Duration STANDBY_POLL = Duration.ofMillis(25);
    /** How often a standby forgets the checkpoint changes the active compiler committed. */
    private static final Duration STANDBY_PRUNE = Duration.ofSeconds(10);
    /** How often to look again while the sync gate holds publishing back. */
    private static final Duration HELD_POLL = Duration.ofMillis(50);
    /**
     * A transaction still missing records this long after its first record was read is applied as it is
     * (logged): longer than any watcher transaction may stay open (transaction.timeout.ms, 15 s), so only a
     * transaction whose records can never all be read (a writer's bug, or a cut made by an older compiler)
     * gets here, and it must not stall its partitions forever.
     */
    private static final long GIVE_UP_NANOS = Duration.ofSeconds(60).toNanos();

    /** A record read and not applied yet: it waits for the rest of its transaction. */
    private record Read(ConsumerRecord<byte[], byte[]> record, EventLogRecord decoded, TransactionMark mark) {
    }

    /** The records of each partition read and not applied yet, in offset order. */
    private final Map<TopicPartition, ArrayDeque<Read>> unapplied = new HashMap<>();
    /** When the first record of each incomplete transaction was read. */
    private final Map<TransactionMark.Id, Long> incompleteSince = new HashMap<>();
    private final Set<TransactionMark.Id> givenUp = new HashSet<>();
    /** The transactions applied since the latest version, for the next version's provenance. */
    private final Map<TransactionMark.Id, SourceTransaction> sinceLastVersion = new LinkedHashMap<>();
    /** When this compiler first saw each cluster waiting for its initial list. */
    private final Map<String, Long> awaitingSince = new HashMap<>();
    private String lastHeldReason = "";

    private final CompilerConfig config;
    private final LongConsumer onPublished;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private ModelCheckpoint checkpoint = new ModelCheckpoint();
    /** Each version whole or as a delta against the previous one (issue 15). */
    private final SnapshotPublisher snapshots = new SnapshotPublisher(SnapshotPlan.DEFAULT);
    /** The content hash of each compiled table, reusing the JSON of the entries the previous table had. */
    private final TableHasher hasher = new TableHasher();
    /** Compiles only the backends an endpoint change touched, the whole model otherwise. */
    private final IncrementalCompiler incremental = new IncrementalCompiler();
    private ClusterModel model = new ClusterModel();
    private final Batching batching;
    private final StaleClusters staleClusters;
    private List<TopicPartition> partitions = List.of();
    private long lastVersion;
    private String lastHash;
    /** The latest snapshot's table, as read: what a restart that restores the fold it was compiled from starts from. */
    private RoutingTable lastTable;
    /** The latest snapshot's offsets: exactly the events it was compiled from (empty before the first). */
    private List<SourceOffset> lastProvenance = List.of();
    /** The snapshots topic, read since this life started: the standby follows it, the takeover reads it to its end. */
    private SnapshotLog snapshotLog;
    /** The end of the log when this life started; nothing is published before the model reached it. */
    private Map<TopicPartition, Long> catchUpTo = Map.of();
    private boolean caughtUp;
    private volatile boolean running = true;
    /** Whether this life called initTransactions() (fenced the others): once, at its start or its takeover. */
    private boolean fenced;
    /** Whether this life is the active one (asked between polls). */
    private BooleanSupplier active = () -> true;
    /** True while this life stands by with a model that follows the log (read from any thread). */
    private volatile boolean standingBy;

    private final CompilerMetrics metrics;
    /** Set from any thread to have the next version sent whole; cleared once one was (see {@link #wholeOnRequest}). */
    private java.util.concurrent.atomic.AtomicBoolean wholeRequested = new java.util.concurrent.atomic.AtomicBoolean();
    /** Caught up and not held back by the sync gate: what the compiler's /readyz asks of an active compiler. */
    private volatile boolean publishing;

    public CompilerLoop(CompilerConfig config, LongConsumer onPublished) {
        this(config, onPublished, new CompilerMetrics());
    }

    public CompilerLoop(CompilerConfig config, LongConsumer onPublished, CompilerMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.onPublished = onPublished;
        this.batching = new Batching(config.holdOff(), config.maxDelay());
        this.staleClusters = new StaleClusters(config.liveness().staleAfter().toNanos());
        this.producer = new KafkaProducer<>(config.kafka().properties(producerProps(config)), new StringSerializer(),
                new ByteArraySerializer());
        this.consumer = new KafkaConsumer<>(config.kafka().properties(consumerProps(config)), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private static Properties producerProps(CompilerConfig c) {
        Properties p = new Properties();
        // One id for all compilers: initTransactions() fences any other compiler and aborts its open transaction.
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, c.transactionalId());
        // If this compiler dies mid-transaction and no successor starts, proxies (read_committed) wait at most this long.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "15000");
        // Snapshots are repetitive JSON: zstd makes every proxy fetch several times fewer bytes.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // A chunk plus headers must fit one request (the default is 1 MiB).
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Math.max(1 << 20, c.chunkBytes() + (64 << 10))));
        // commitTransaction() flushes at once; lingering would only add latency to the last chunk.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // A takeover's fence and first transaction wait while the broker aborts the previous compiler's transaction
        // (CONCURRENT_TRANSACTIONS): retry after 20 ms, not 100, as that is part of the takeover time (backs off to 1 s).
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "20");
        return p;
    }

    private static Properties consumerProps(CompilerConfig c) {
        Properties p = new Properties();
        // The group only stores offsets, committed inside the snapshot's transaction; partitions are assigned by hand.
        p.put(ConsumerConfig.GROUP_ID_CONFIG, c.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Events from an aborted or fenced watcher transaction must never reach the model.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // With no committed offset, the model starts from the first event ever written.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Rebuilding the model reads the whole log: take big bites.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return p;
    }

    /** Runs as the active compiler at once (no standby phase) until {@link #close()} or a Kafka error. */
    public void run() {
        run(() -> true);
    }

    /**
     * Stands by until {@code active} says this compiler won the lease, then takes over and publishes; runs until
     * {@link #stop()} or a Kafka error (which propagates). {@code active} is asked between polls.
     */
    public void run(BooleanSupplier active) {
        this.active = active;
        boolean activeAtStart = active.getAsBoolean();
        if (activeAtStart) {
            // Active from the start (a restart holding the lease): fence first, then recover what the fence left.
            fence();
        }
        snapshotLog = SnapshotLog.connect(config.kafka(), "signalbox-compiler-snapshots");
        SnapshotLog log = snapshotLog;
        // Active at once: everything is stable behind the fence, so the latest snapshot (a whole table to decode) is
        // read while the checkpoint loads. A standby reads it first: its offsets must not be newer than the group's.
        rebuildModel(activeAtStart
                ? CompletableFuture.supplyAsync(() -> log.latest(Duration.ofSeconds(30)), r -> new Thread(r, "compiler-recovery").start())
                : CompletableFuture.completedFuture(log.latest(Duration.ofSeconds(30))));
        try {
            if (!activeAtStart) {
                if (!standBy(active)) {
                    return;
                }
                takeOver();
            }
            // The first publish compiles and compares with the last hash: a new version only if the table changed.
            batching.changed(System.nanoTime());
            LOG.info("compiler ready: {} objects from {} partitions, last version {}", model.size(), partitions.size(),
                    lastVersion);
            boolean held = false;
            while (running) {
                // Until caught up, poll for records (a poll returns as soon as some arrive) instead of spinning.
                Duration budget = !caughtUp ? IDLE_POLL : held ? HELD_POLL : batching.waitBudget(System.nanoTime(), IDLE_POLL);
                ConsumerRecords<byte[], byte[]> records = consumer.poll(budget);
                if (apply(records)) {
                    batching.changed(System.nanoTime());
                }
                observe();
                held = false;
                if (caughtUp()) {
                    recordStaleClusters();
                }
                if (caughtUp() && batching.due(System.nanoTime())) {
                    SyncGate.Verdict v = SyncGate.decide(model.clusters(), awaitingSince, System.nanoTime(),
                            config.syncTimeout().toNanos());
                    held = !v.publish();
                    if (held) {
                        if (!v.reason().equals(lastHeldReason)) {
                            LOG.info("not publishing yet: {}", v.reason());
                        }
                    } else {
                        publish();
                    }
                    lastHeldReason = v.reason();
                    publishing = !held;
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        }
    }

    /**
     * Follows the events and the snapshots while another compiler is active: the model stays a fold of the log
     * (whole transactions only) and the last version is known. Writes nothing. Compiles the model once first, so
     * the takeover's compile runs on warm code.
     *
     * @return true when this compiler became active, false when stopped
     */
    private boolean standBy(BooleanSupplier active) {
        long t0 = System.nanoTime();
        // The producer's metadata of the topics it will write (no fence, no transaction): not fetched at the takeover.
        producer.partitionsFor(Topics.SNAPSHOTS);
        producer.partitionsFor(Topics.COMPILER_MODEL);
        if (active.getAsBoolean()) {
            // Won the lease while recovering (the lease was free): no warm-up, take over now.
            return running;
        }
        // Through the loop's incremental compiler: a takeover after endpoint changes only rebuilds their backends.
        String hash = SnapshotCodec.contentHash(incremental.compile(model));
        LOG.info("standby ready: following the events with {} objects, last version {} (warm-up compile {} ms, {})", model.size(),
                lastVersion, (System.nanoTime() - t0) / 1_000_000, hash);
        long pruned = System.nanoTime();
        standingBy = true;
        while (running && !active.getAsBoolean()) {
            apply(consumer.poll(STANDBY_POLL));
            // A standby's lag too: how far its warm model is behind the log (a takeover has that much to read).
            metrics.eventsLag(lag());
            snapshotLog.poll(Duration.ZERO).forEach(this::noteLatest);
            if (System.nanoTime() - pruned > STANDBY_PRUNE.toNanos()) {
                // The active compiler's commits hold every change before its offsets: forget those.
                try {
                    checkpoint.committedAt(committedOffsets(STANDBY_POLL));
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    // The active compiler is committing offsets (or died doing so): prune next time, never wait here.
                }
                pruned = System.nanoTime();
            }
        }
        standingBy = false;
        return running;
    }

    /**
     * The takeover: fences the previous active compiler, then (nothing more can commit) reads the snapshots topic to
     * its end and the group's offsets. With offsets covering the last snapshot, the warm model goes on from where it
     * is, keeping only what the last commit lacks; without (first start, offsets expired or deleted) the model is
     * rebuilt as on a first start. Either way nothing is published before the model reached the log's end.
     */
    private void takeOver() {
        long t0 = System.nanoTime();
        fence();
        long fencedAt = System.nanoTime();
        long end = snapshotLog.endOffset(Duration.ofSeconds(30));
        while (snapshotLog.position() < end) {
            snapshotLog.poll(Duration.ofMillis(200)).forEach(this::noteLatest);
        }
        long read = System.nanoTime();
        Map<TopicPartition, Long> committed = committedOffsets(Duration.ofSeconds(30));
        boolean warm = committed.size() == partitions.size() && lastProvenance.stream().allMatch(o ->
                committed.getOrDefault(new TopicPartition(o.topic(), o.partition()), -1L) >= o.nextOffset());
        if (warm) {
            checkpoint.committedAt(committed);
            catchUpTo = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            caughtUp = false;
        } else {
            LOG.info("the group's offsets {} do not cover version {}: rebuilding the model", committed, lastVersion);
            model = new ClusterModel();
            checkpoint = new ModelCheckpoint();
            unapplied.clear();
            incompleteSince.clear();
            givenUp.clear();
            sinceLastVersion.clear();
            rebuildModel(CompletableFuture.completedFuture(Optional.empty()));
        }
        LOG.info("took over {} in {} ms (fence {} ms, snapshots {} ms) at version {}: catching up to {}", warm ? "warm" : "cold",
                (System.nanoTime() - t0) / 1_000_000, (fencedAt - t0) / 1_000_000, (read - fencedAt) / 1_000_000, lastVersion, catchUpTo);
    }

    /** The latest snapshot published (by any compiler): the version sequence continues from it. */
    private void noteLatest(RoutingSnapshot s) {
        lastVersion = s.version();
        lastTable = s.table();
        lastHash = s.contentHash();
        lastProvenance = s.provenance();
        // The next version can be a delta on the chain readers already have, not the whole table again.
        snapshotLog.chainBase(s).ifPresent(base -> snapshots.follow(s, base));
        // And its hash looks up the entries the reader checked instead of serialising the whole table again.
        hasher.adopt(snapshotLog.hasher());
        // Transactions the snapshot holds are not the next version's.
        sinceLastVersion.values().removeIf(t -> t.ranges().stream().allMatch(r -> r.lastOffset() < publishedCut(r.partition())));
    }

    /** Where the latest snapshot's provenance ends in {@code partition} (0 before any). */
    private long publishedCut(int partition) {
        for (SourceOffset o : lastProvenance) {
            if (o.partition() == partition) {
                return o.nextOffset();
            }
        }
        return 0;
    }

    /** Fences every other producer of the transactional id (once per life) and aborts its open transaction. */
    private void fence() {
        if (!fenced) {
            producer.initTransactions();
            fenced = true;
        }
    }

    /** The group's committed offsets (partitions without one are absent). */
    private Map<TopicPartition, Long> committedOffsets(Duration timeout) {
        Map<TopicPartition, Long> out = new HashMap<>();
        consumer.committed(new HashSet<>(partitions), timeout).forEach((tp, o) -> {
            if (o != null) {
                out.put(tp, o.offset());
            }
        });
        return out;
    }

    /**
     * True once the model has read every event that was committed when this life started: before that
     * it is a fold of part of the log (routes missing, deleted objects back), which must never be published.
     */
    private boolean caughtUp() {
        if (!caughtUp) {
            caughtUp = catchUpTo.entrySet().stream().allMatch(e -> cut(e.getKey()) >= e.getValue());
            if (caughtUp) {
                LOG.info("caught up with the events log at {}", catchUpTo);
                // At once, not at the next poll's observe(): a quiet log may leave the loop in a poll for 500 ms.
                metrics.modelCurrent(true);
            }
        }
        return caughtUp;
    }

    /**
     * Restores the model as of the latest snapshot (or later), then notes the end of the log it must
     * reach before publishing. The latest snapshot's provenance is the source of truth: its offsets are
     * exactly the events it was compiled from. The checkpoint, written in the same transactions, is a shortcut
     * used only when its meta record names an offset for every partition, none behind that provenance (they are
     * ahead after commits that did not change the table, or when the snapshot's partition shows a transaction
     * later than the checkpoint's). Its own offsets, not the group's, say where its fold stopped
     * ({@link ModelCheckpoint}: a transaction becomes readable partition by partition). Otherwise (first start, a
     * checkpoint older than the snapshot, or deleted) the events before the provenance are folded and a whole
     * checkpoint is written.
     *
     * @return true when the checkpoint has to be rewritten (it was missing or does not match the snapshot)
     */
    private boolean rebuildModel(CompletableFuture<Optional<RoutingSnapshot>> latest) {
        long t0 = System.nanoTime();
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + Topics.EVENTS + " does not exist");
        }
        partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
        consumer.assign(partitions);
        catchUpTo = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        caughtUp = false;
        ClusterModel restored = new ClusterModel();
        ModelCheckpoint.Loaded loaded = ModelCheckpoint.load(config.kafka(), restored);
        try {
            latest.join().ifPresent(this::noteLatest);
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        Map<TopicPartition, Long> published = new HashMap<>();
        partitions.forEach(tp -> published.put(tp, 0L));
        lastProvenance.forEach(o -> published.computeIfPresent(new TopicPartition(o.topic(), o.partition()),
                (tp, zero) -> o.nextOffset()));
        boolean usable = loaded.present() && partitions.stream()
                .allMatch(tp -> loaded.offsets().getOrDefault(tp, -1L) >= published.get(tp));
        if (usable) {
            // The checkpoint is the fold of the events before its own offsets: go on from there.
            model = restored;
            checkpoint.restored(model);
            // A compiler of this build compiled that fold to the latest snapshot's table (its hash is in the checkpoint
            // and the snapshot's was checked when read): the incremental compiles start from it, no whole compile.
            if (lastTable != null && lastHash != null && lastHash.equals(loaded.tableHash())
                    && CompilerBuild.fingerprint().equals(loaded.compiledBy())) {
                incremental.seed(model, lastTable);
                LOG.info("the latest snapshot's table is this fold's, compiled by this build: compiles start from it");
            }
            collectTransactions(published, loaded.offsets());
            partitions.forEach(tp -> consumer.seek(tp, loaded.offsets().get(tp)));
            LOG.info("restored the cluster model from its checkpoint: {} objects at offsets {} in {} ms", model.size(),
                    loaded.offsets(), (System.nanoTime() - t0) / 1_000_000);
            return false;
        }
        if (loaded.present()) {
            LOG.warn("the checkpoint's offsets {} do not cover the latest snapshot's {}; recovering from the snapshot",
                    loaded.offsets(), published);
        }
        // Read exactly the events the snapshot was compiled from, then write a whole new checkpoint.
        long events = EventFold.foldUntil(consumer, published, model);
        checkpoint.rewriteAll(model, loaded.keys());
        LOG.info("rebuilt the cluster model from {} events up to offsets {} (the latest snapshot's provenance) in {} ms; "
                + "the log ends at {}", events, published, (System.nanoTime() - t0) / 1_000_000, catchUpTo);
        return true;
    }

    /**
     * Buffers the records just read and applies every whole transaction the buffers hold.
     *
     * @return true when routing input changed
     */
    private boolean apply(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Optional<EventLogRecord> e = EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(), r.value(),
                    () -> { });
            TransactionMark mark = e.isPresent() ? e.get().transaction() : EventLogCodec.transactionOf(r.value()).orElse(null);
            unapplied.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayDeque<>())
                    .add(new Read(r, e.orElse(null), mark));
        }
        boolean changed = false;
        while (true) {
            List<List<TransactionBoundary.Pending>> lists = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                List<TransactionBoundary.Pending> l = new ArrayList<>();
                for (Read rd : unapplied.getOrDefault(tp, new ArrayDeque<>())) {
                    l.add(rd.mark() == null ? TransactionBoundary.Pending.alone(rd.record().offset())
                            : new TransactionBoundary.Pending(rd.record().offset(), rd.mark().id(), rd.mark().records()));
                }
                lists.add(l);
            }
            int[] cut = TransactionBoundary.applicable(lists, givenUp);
            for (int i = 0; i < partitions.size(); i++) {
                ArrayDeque<Read> q = unapplied.get(partitions.get(i));
                for (int n = 0; n < cut[i]; n++) {
                    changed |= applyOne(q.poll());
                }
            }
            if (!giveUpOnStaleTransactions()) {
                break;
            }
        }
        long now = System.nanoTime();
        model.clusters().forEach((id, sync) -> {
            if (sync.awaitingSync()) {
                awaitingSince.putIfAbsent(id, now);
            } else {
                awaitingSince.remove(id);
            }
        });
        return changed;
    }

    /**
     * Notes the transactions of the events between the latest snapshot's provenance and the group's offsets
     * (ahead of it after commits that changed no table): they belong in the next version's provenance.
     */
    private void collectTransactions(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) {
        List<TopicPartition> behind = new ArrayList<>();
        from.forEach((tp, offset) -> {
            if (offset < to.get(tp)) {
                consumer.seek(tp, offset);
                behind.add(tp);
            }
        });
        while (!behind.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))) {
                    Optional<EventLogRecord> e = EventLogCodec.decode(r.topic() + "-" + r.partition() + "@" + r.offset(),
                            r.value(), () -> { });
                    noteTransaction(r, e.orElse(null), e.isPresent() ? e.get().transaction()
                            : EventLogCodec.transactionOf(r.value()).orElse(null));
                }
            }
            behind.removeIf(tp -> consumer.position(tp) >= to.get(tp));
        }
    }

    private boolean applyOne(Read rd) {
        noteTransaction(rd.record(), rd.decoded(), rd.mark());
        if (rd.decoded() == null) {
            return false;
        }
        if (rd.decoded() instanceof ClusterLiveness) {
            staleClusters.decided(rd.decoded().clusterId(), System.nanoTime());
        } else {
            staleClusters.heard(rd.decoded().clusterId(), System.nanoTime());
        }
        if (rd.decoded() instanceof ClusterEvent e) {
            checkpoint.record(e, rd.record().partition(), rd.record().offset());
        }
        return EventFold.apply(model, rd.decoded());
    }

    /** Adds the record to its transaction's entry in the next version's provenance (unless the last snapshot has it). */
    private void noteTransaction(ConsumerRecord<byte[], byte[]> r, EventLogRecord decoded, TransactionMark mark) {
        if (mark != null && r.offset() >= publishedCut(r.partition())) {
            Read rd = new Read(r, decoded, mark);
            SourceTransaction t = sinceLastVersion.get(rd.mark().id());
            List<SourceTransaction.SourceRange> ranges = new ArrayList<>(t == null ? List.of() : t.ranges());
            int at = -1;
            for (int i = 0; i < ranges.size(); i++) {
                if (ranges.get(i).partition() == r.partition()) {
                    at = i;
                }
            }
            if (at < 0) {
                ranges.add(new SourceTransaction.SourceRange(r.topic(), r.partition(), r.offset(), r.offset()));
            } else {
                SourceTransaction.SourceRange old = ranges.get(at);
                ranges.set(at, new SourceTransaction.SourceRange(old.topic(), old.partition(), old.firstOffset(), r.offset()));
            }
            TransactionMark m = rd.mark();
            String cluster = t != null && !t.clusterId().isEmpty() ? t.clusterId()
                    : rd.decoded() != null ? rd.decoded().clusterId() : "";
            sinceLastVersion.put(m.id(), new SourceTransaction(cluster, m.producer(), m.session(), m.epoch(), m.sequence(),
                    m.records(), ranges));
        }
    }

    /**
     * Notes when each incomplete transaction was first seen, and gives up waiting for the rest of those
     * seen longer than {@link #GIVE_UP_NANOS} ago.
     *
     * @return true when it gave up on one (the buffers must be looked at again)
     */
    private boolean giveUpOnStaleTransactions() {
        long now = System.nanoTime();
        Set<TransactionMark.Id> waiting = new HashSet<>();
        unapplied.values().forEach(q -> q.forEach(rd -> {
            if (rd.mark() != null) {
                waiting.add(rd.mark().id());
            }
        }));
        incompleteSince.keySet().retainAll(waiting);
        boolean gaveUp = false;
        for (TransactionMark.Id id : waiting) {
            long since = incompleteSince.computeIfAbsent(id, k -> now);
            if (now - since > GIVE_UP_NANOS && givenUp.add(id)) {
                LOG.warn("transaction {} is still missing records {} s after its first was read; applying what was read",
                        id, GIVE_UP_NANOS / 1_000_000_000L);
                gaveUp = true;
            }
        }
        return gaveUp;
    }

    /** Where the model is in {@code tp}: the offset of the first record not applied. */
    private long cut(TopicPartition tp) {
        ArrayDeque<Read> q = unapplied.get(tp);
        return q == null || q.isEmpty() ? consumer.position(tp) : q.peek().record().offset();
    }

    /**
     * Records, as events in the log, that the clusters silent for longer than the configured time are stale
     * (issue 14): one transaction of this compiler's producer per round, outside any snapshot's. The decision takes
     * effect when it is read back, at its place in the log, so a replay of the log reproduces it without a clock;
     * a heartbeat of the cluster that lands before it in the partition voids it.
     */
    private void recordStaleClusters() {
        List<String> due = staleClusters.due(model.clusters(), System.nanoTime());
        if (due.isEmpty()) {
            return;
        }
        CompilerConfig.Liveness l = config.liveness();
        java.time.Instant now = java.time.Instant.now();
        producer.beginTransaction();
        for (String id : due) {
            ClusterSync sync = model.clusters().get(id);
            ClusterLiveness decision = ClusterLiveness.stale(id, sync.leaderEpoch(), now, sync.lastHeartbeat(),
                    l.keepStaleEndpoints(), "no record of cluster " + id + " for " + l.staleAfter().toSeconds()
                            + " s (--cluster-stale-after); last heartbeat " + sync.lastHeartbeat());
            // Keyed like the cluster's heartbeats, so it lands in their partition, ordered with them.
            producer.send(new ProducerRecord<>(Topics.EVENTS, decision.recordKey(), EventLogCodec.encode(decision)));
            LOG.warn("cluster {} is silent: no heartbeat since {}; recording it as stale (its endpoints are {} merged Services)",
                    id, sync.lastHeartbeat(), l.keepStaleEndpoints() ? "kept, marked stale, in" : "withdrawn from");
        }
        producer.commitTransaction();
    }

    /** The model's lag behind the events topic and whether it is current, for the metrics and /readyz. */
    private void observe() {
        metrics.eventsLag(lag());
        metrics.modelCurrent(caughtUp);
        if (!caughtUp) {
            publishing = false;
        }
    }

    /** Records in the events topic not applied to the model: not read yet, or read and waiting for their transaction. */
    private long lag() {
        long lag = 0;
        for (TopicPartition tp : partitions) {
            lag += consumer.currentLag(tp).orElse(0) + unapplied.getOrDefault(tp, new ArrayDeque<>()).size();
        }
        return lag;
    }

    /** Whether this life is active, current and publishing (not catching up, not held back by a cluster's initial list). */
    public boolean publishing() {
        return publishing;
    }

    private void publish() {
        long compileStart = System.nanoTime();
        long wholeBefore = incremental.wholeCompiles();
        RoutingTable table = incremental.compile(model);
        metrics.compiled(System.nanoTime() - compileStart, table, incremental.wholeCompiles() > wholeBefore);
        String hash = hasher.hash(table);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<SourceOffset> provenance = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            long position = cut(tp);
            offsets.put(tp, new OffsetAndMetadata(position));
            provenance.add(new SourceOffset(tp.topic(), tp.partition(), position));
        }
        boolean newVersion = !hash.equals(lastHash);
        long version = newVersion ? lastVersion + 1 : lastVersion;
        // On any error the Compiler ends this life; the next one's initTransactions() aborts what was sent.
        producer.beginTransaction();
        SnapshotPublisher.Sent sent = null;
        if (newVersion) {
            RoutingSnapshot snapshot = SnapshotCodec.create(version, model.latestObservedAt(), provenance,
                    List.copyOf(sinceLastVersion.values()), table, hasher);
            sent = snapshots.send(new SnapshotWriter(producer, config.chunkBytes()), snapshot, wholeRequested.get());
        }
        checkpoint.write(producer, model, provenance, hash);
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        snapshots.committed();
        if (sent != null && sent.form() == SnapshotPlan.Form.FULL) {
            wholeRequested.set(false);
        }
        batching.published(System.nanoTime());
        if (newVersion) {
            lastVersion = version;
            lastHash = hash;
            LOG.info("published snapshot version {} ({} hosts, {} backends, {} diagnostics, {} transactions, {}; {} of {} bytes)",
                    version, table.virtualHosts().size(), table.backends().size(), table.diagnostics().size(),
                    sinceLastVersion.size(), hash, sent.form() == SnapshotPlan.Form.FULL ? "whole" : "delta", sent.bytes());
            sinceLastVersion.clear();
            metrics.snapshotWritten(sent.bytes(), sent.chunks());
            metrics.published(version);
            onPublished.accept(version);
        }
    }

    /**
     * The flag through which the next version is asked for whole (a full snapshot on request, issue 15): shared by
     * the lives of one compiler, so a request made while one life ends is served by the next.
     */
    public CompilerLoop wholeOnRequest(java.util.concurrent.atomic.AtomicBoolean requests) {
        this.wholeRequested = requests;
        return this;
    }

    /** True while this life stands by, warm: its model follows the events and it knows the last version. */
    public boolean standingBy() {
        return standingBy;
    }

    public long lastVersion() {
        return lastVersion;
    }

    /** Stops {@link #run()} from another thread. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void close() {
        if (snapshotLog != null) {
            snapshotLog.close();
        }
        consumer.close();
        producer.close(Duration.ofSeconds(5));
    }
}
