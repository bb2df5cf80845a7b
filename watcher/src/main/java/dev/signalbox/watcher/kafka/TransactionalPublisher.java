package dev.signalbox.watcher.kafka;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.RejectedState;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.event.TransactionMark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's way into the events topic: one transactional producer whose {@code transactional.id}
 * is the same for every watcher of a cluster, so {@code initTransactions()} by a new leader fences the
 * old one even while the old one still believes it leads.
 *
 * <p>The unit of the queue is a source change: a list of records that must be committed in one
 * transaction (a manifest file's objects, a takeover's reconcile with its {@link SyncMarker}). One thread
 * ("signalbox-publisher") drains the queue and sends every change it found in one transaction, committing
 * as soon as the queue is empty: no artificial delay, and a change is never split across transactions.
 * Every record is stamped with the transaction's {@link TransactionMark} (this producer's session, a
 * sequence number, and how many records the transaction holds), so readers can tell when they have it whole. What an error means is
 * decided by {@link TransactionErrors}: a commit that timed out is committed again (Kafka's contract: its
 * outcome is unknown, and an abort would be refused); a failed transaction is aborted and the same batch
 * sent again after an interruptible back-off; a fenced or unusable producer ends the thread, and
 * {@code onLost} says which.
 */
public final class TransactionalPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalPublisher.class);
    private static final Duration BACKOFF = Duration.ofMillis(200);

    /** Why a started publisher stopped for good; the caller decides what the watcher does next. */
    public sealed interface Loss {
        Throwable cause();

        /** Kafka said a newer producer holds the transactional id. */
        record Fenced(Throwable cause) implements Loss {
        }

        /** The producer cannot be used again, but nobody fenced it: a new producer may take over. */
        record Broken(Throwable cause) implements Loss {
        }
    }

    private final KafkaProducer<String, EventLogRecord> producer;
    private final String transactionalId;
    private final KafkaConnection kafka;
    private final BlockingQueue<List<EventLogRecord>> queue = new LinkedBlockingQueue<>();
    /** Tells this producer's transactions from those of another instance with the same id and epoch. */
    private final String session = String.format("%08x", new java.security.SecureRandom().nextInt());
    private long sequence;
    private final AtomicLong committed;
    private volatile boolean fenced;
    private volatile boolean closed;
    private volatile Thread thread;
    private volatile Observer observer = (records, nanos) -> { };

    /** Told of every committed transaction (metrics), on the publishing thread. */
    public interface Observer {
        /** @param nanos from the transaction's begin to its commit, retries included */
        void committed(List<? extends EventLogRecord> records, long nanos);
    }

    /** From now on, {@code o} is told of every committed transaction. */
    public void observe(Observer o) {
        this.observer = o;
    }

    private TransactionalPublisher(KafkaProducer<String, EventLogRecord> producer, String transactionalId, KafkaConnection kafka,
                                   AtomicLong committed) {
        this.producer = producer;
        this.transactionalId = transactionalId;
        this.kafka = kafka;
        this.committed = committed;
    }

    /** Below the producer's 1 MiB max.request.size and the broker's default max.message.bytes. */
    static final int MAX_EVENT_BYTES = dev.signalbox.schemas.topics.TopicRequirements.MAX_EVENT_BYTES;
    private static final AtomicLong oversized = new AtomicLong();
    private static final AtomicLong commitTimeouts = new AtomicLong();

    public static String transactionalId(String clusterId) {
        return "signalbox-watcher-" + clusterId;
    }

    /**
     * Creates the producer and calls {@code initTransactions()}: from here on, any earlier producer of
     * this cluster is fenced and its open transaction aborted. Blocks up to {@code max.block.ms}.
     *
     * @param committed incremented by the number of events of every committed transaction
     */
    public static TransactionalPublisher open(String kafka, String clusterId, AtomicLong committed) {
        return open(KafkaConnection.of(kafka), clusterId, committed);
    }

    /** {@link #open(String, String, AtomicLong)} with the operator's client settings. */
    public static TransactionalPublisher open(KafkaConnection kafka, String clusterId, AtomicLong committed) {
        TransactionalPublisher p = prepare(kafka, clusterId, committed);
        try {
            p.fence();
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /**
     * Creates the producer and fetches the events topic's metadata, without {@code initTransactions()}:
     * a standby does this ahead of time, so that a takeover only has to {@link #fence()} (a fresh client
     * spends about a second on class loading and its first connection). Fences nobody.
     */
    public static TransactionalPublisher prepare(KafkaConnection kafka, String clusterId, AtomicLong committed) {
        String txId = transactionalId(clusterId);
        Properties p = new Properties();
        // One id per cluster: a new leader's initTransactions() fences the previous leader's producer.
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        // Batches are formed by draining the queue; waiting for more records only adds latency.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // Takeover and shutdown must not hang for the default minute when the broker is unreachable.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        // A leader that dies mid-transaction holds back read_committed readers until this expires (default 60 s).
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "15000");
        // A takeover's initTransactions() is refused (CONCURRENT_TRANSACTIONS) until the dead leader's
        // transaction is aborted; retrying at most every 50 ms instead of backing off to 1 s shortens takeover.
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "50");
        // Name the producer after its cluster in broker logs and metrics.
        p.put(ProducerConfig.CLIENT_ID_CONFIG, txId);
        KafkaProducer<String, EventLogRecord> producer = new KafkaProducer<>(kafka.properties(p), new StringSerializer(),
                new ClusterEventSerializer());
        try {
            producer.partitionsFor(Topics.EVENTS);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new TransactionalPublisher(producer, txId, kafka, committed);
    }

    /** {@code initTransactions()}: fences every earlier producer of this cluster and aborts its open transaction. */
    public void fence() {
        producer.initTransactions();
    }

    /** Starts the draining thread; {@code onLost} runs on it once if this producer is fenced or unusable. */
    public void start(Consumer<Loss> onLost) {
        Thread t = new Thread(() -> run(onLost), "signalbox-publisher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Queues one event, a change of its own, for the next transaction. Any thread. */
    public void enqueue(ClusterEvent event) {
        queue.add(List.of(event));
    }

    /** Queues one source change: these records are committed in one transaction, never split. Any thread. */
    public void enqueue(List<? extends EventLogRecord> change) {
        if (!change.isEmpty()) {
            queue.add(List.copyOf(change));
        }
    }

    /** Stamps every record of the next transaction with its mark (the epoch is the first record's). */
    private List<EventLogRecord> stamped(List<? extends EventLogRecord> batch) {
        TransactionMark mark = new TransactionMark(transactionalId, session, batch.get(0).leaderEpoch(), sequence + 1,
                batch.size());
        List<EventLogRecord> out = new ArrayList<>(batch.size());
        for (EventLogRecord r : batch) {
            out.add(r instanceof ClusterEvent e ? withinLimit(e).withTransaction(mark) : r.withTransaction(mark));
        }
        return out;
    }

    private static int eventsIn(List<? extends EventLogRecord> batch) {
        return (int) batch.stream().filter(r -> r instanceof ClusterEvent).count();
    }

    /**
     * Sends {@code events} in one transaction on the caller's thread and waits for the commit. Only for a
     * publisher that was not {@link #start started}.
     *
     * @throws FencedException when another producer with this transactional id has taken over
     */
    public synchronized void publishNow(List<? extends EventLogRecord> events) {
        if (fenced) {
            throw new FencedException(transactionalId + " was fenced by a newer producer", null);
        }
        try {
            producer.beginTransaction();
            stamped(events).forEach(r -> producer.send(new ProducerRecord<>(Topics.EVENTS, r.recordKey(), r)));
            producer.commitTransaction();
            sequence++;
            committed.addAndGet(eventsIn(events));
        } catch (KafkaException | IllegalStateException e) {
            if (TransactionErrors.isFencing(e)) {
                fenced = true;
                throw new FencedException(transactionalId + " was fenced by a newer producer", e);
            }
            abort();
            throw e;
        }
    }

    public boolean isFenced() {
        return fenced;
    }

    private void run(Consumer<Loss> onLost) {
        List<EventLogRecord> batch = new ArrayList<>();
        List<List<EventLogRecord>> changes = new ArrayList<>();
        try {
            while (!closed) {
                changes.add(queue.take());
                queue.drainTo(changes);
                changes.forEach(batch::addAll);
                changes.clear();
                Loss loss = deliver(batch);
                if (loss != null) {
                    fenced |= loss instanceof Loss.Fenced;
                    onLost.accept(loss);
                    return;
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Commits {@code batch} in one transaction, however many attempts it takes while Kafka is away.
     *
     * @return null once committed (or closing), else why this producer cannot go on
     */
    private Loss deliver(List<EventLogRecord> batch) throws InterruptedException {
        List<EventLogRecord> records = stamped(batch);
        long begun = System.nanoTime();
        while (!closed) {
            try {
                producer.beginTransaction();
                for (EventLogRecord r : records) {
                    producer.send(new ProducerRecord<>(Topics.EVENTS, r.recordKey(), r));
                }
            } catch (KafkaException | IllegalStateException e) {
                if (closed) {
                    return null;
                }
                Loss loss = afterFailure(e, false, batch.size());
                if (loss != null) {
                    return loss;
                }
                Thread.sleep(BACKOFF.toMillis());
                continue;
            }
            while (true) {
                try {
                    producer.commitTransaction();
                    sequence++;
                    committed.addAndGet(eventsIn(batch));
                    observer.committed(records, System.nanoTime() - begun);
                    return null;
                } catch (KafkaException | IllegalStateException e) {
                    if (closed) {
                        return null;
                    }
                    if (TransactionErrors.of(e, true) == TransactionErrors.Verdict.RETRY_COMMIT) {
                        // Kafka's contract: the outcome is unknown; the retried call waits for the same commit.
                        LOG.warn("committing {} events to Kafka at {} timed out ({}); committing again", batch.size(),
                                kafka, e.getMessage());
                        commitTimeouts.incrementAndGet();
                        Thread.sleep(BACKOFF.toMillis());
                        continue;
                    }
                    Loss loss = afterFailure(e, true, batch.size());
                    if (loss != null) {
                        return loss;
                    }
                    Thread.sleep(BACKOFF.toMillis());
                    break;
                }
            }
        }
        return null;
    }

    /** Aborts after a failed transaction; returns why the producer cannot go on, or null to send again. */
    private Loss afterFailure(RuntimeException e, boolean duringCommit, int events) {
        switch (TransactionErrors.of(e, duringCommit)) {
            case FENCED:
                return new Loss.Fenced(e);
            case REPLACE_PRODUCER:
                return new Loss.Broken(e);
            default:
                LOG.warn("transaction of {} events failed, sending it again: {}", events, KafkaProblem.describe(kafka, e));
                RuntimeException abortFailure = abort();
                if (abortFailure == null) {
                    return null;
                }
                return TransactionErrors.isFencing(abortFailure) ? new Loss.Fenced(abortFailure) : new Loss.Broken(abortFailure);
        }
    }

    /**
     * An event over {@link #MAX_EVENT_BYTES} would fail its whole transaction again and again, stalling
     * every other change: its state is replaced by a {@link RejectedState} saying why, so routing drops the
     * object (rather than keep an older state nobody asked for) and the compiler reports it on the object.
     * Logged and counted.
     */
    static ClusterEvent withinLimit(ClusterEvent e) {
        if (e.state() == null) {
            return e;
        }
        int size = ClusterEventCodec.encode(e).length;
        if (size <= MAX_EVENT_BYTES) {
            return e;
        }
        oversized.incrementAndGet();
        String reason = String.format(java.util.Locale.ROOT, "the event would be %,d bytes, over the %,d byte limit of"
                + " one record", size, MAX_EVENT_BYTES);
        LOG.error("{} {} (resourceVersion {}): {}; published as rejected, it is not routed", e.kind().apiName(),
                e.key().shortName(), e.resourceVersion(), reason);
        return ClusterEvent.upsert(e.key(), e.uid(), e.resourceVersion(), e.observedAt(), e.leaderEpoch(),
                new RejectedState(e.kind(), reason));
    }

    /** Events published as rejected for their size since start. */
    public static long oversizedEvents() {
        return oversized.get();
    }

    /**
     * Aborts the open transaction; an abort that times out is called again, as a commit is. Returns null
     * once aborted, or the error that makes the producer unusable.
     */
    private RuntimeException abort() {
        while (!closed) {
            try {
                producer.abortTransaction();
                return null;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warn("aborting the transaction of {} timed out; aborting again", transactionalId);
            } catch (KafkaException | IllegalStateException e) {
                LOG.warn("could not abort the transaction of {}: {}", transactionalId, e.toString());
                return e;
            }
        }
        return null;
    }

    /** Commits that timed out and were committed again, since start (all publishers of this JVM). */
    public static long commitTimeouts() {
        return commitTimeouts.get();
    }

    /** Stops the thread, aborts an open transaction and closes the producer. */
    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }

    /** Another leader has initialised the same transactional id; the caller is no longer the leader. */
    public static final class FencedException extends RuntimeException {
        FencedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
