package dev.signalbox.watcher.kafka;

import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.ClusterEventCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.RejectedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's way into the events topic: one transactional producer whose {@code transactional.id}
 * is the same for every watcher of a cluster, so {@code initTransactions()} by a new leader fences the
 * old one even while the old one still believes it leads.
 *
 * <p>One thread ("signalbox-publisher") drains the queue and sends everything it found in one
 * transaction, committing as soon as the queue is empty: no artificial delay. Fatal versus retriable
 * is decided in {@link #sendWithRetry}: a fenced producer stops the loop and reports it; any other Kafka
 * error aborts the transaction and retries the same batch after an interruptible back-off.
 */
public final class TransactionalPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalPublisher.class);
    private static final Duration BACKOFF = Duration.ofMillis(200);

    private final KafkaProducer<String, ClusterEvent> producer;
    private final String transactionalId;
    private final BlockingQueue<ClusterEvent> queue = new LinkedBlockingQueue<>();
    private final AtomicLong committed;
    private volatile boolean fenced;
    private volatile boolean closed;
    private Thread thread;

    private TransactionalPublisher(KafkaProducer<String, ClusterEvent> producer, String transactionalId, AtomicLong committed) {
        this.producer = producer;
        this.transactionalId = transactionalId;
        this.committed = committed;
    }

    /** Below the producer's 1 MiB max.request.size and the broker's default max.message.bytes. */
    static final int MAX_EVENT_BYTES = 900 * 1024;
    private static final AtomicLong oversized = new AtomicLong();

    public static String transactionalId(String clusterId) {
        return "signalbox-watcher-" + clusterId;
    }

    /**
     * Creates the producer and calls {@code initTransactions()}: from here on, any earlier producer of
     * this cluster is fenced and its open transaction aborted. Blocks up to {@code max.block.ms}.
     *
     * @param committed incremented by the number of events of every committed transaction
     */
    public static TransactionalPublisher open(String bootstrapServers, String clusterId, AtomicLong committed) {
        TransactionalPublisher p = prepare(bootstrapServers, clusterId, committed);
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
    public static TransactionalPublisher prepare(String bootstrapServers, String clusterId, AtomicLong committed) {
        String txId = transactionalId(clusterId);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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
        KafkaProducer<String, ClusterEvent> producer = new KafkaProducer<>(p, new StringSerializer(), new ClusterEventSerializer());
        try {
            producer.partitionsFor(Topics.EVENTS);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new TransactionalPublisher(producer, txId, committed);
    }

    /** {@code initTransactions()}: fences every earlier producer of this cluster and aborts its open transaction. */
    public void fence() {
        producer.initTransactions();
    }

    /** Starts the draining thread; {@code onLost} runs on it once if this producer is fenced or broken. */
    public synchronized void start(Runnable onLost) {
        thread = new Thread(() -> run(onLost), "signalbox-publisher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one event for the next transaction. Any thread. */
    public void enqueue(ClusterEvent event) {
        queue.add(event);
    }

    /**
     * Sends {@code events} in one transaction on the caller's thread and waits for the commit.
     *
     * @throws FencedException when another producer with this transactional id has taken over
     */
    public synchronized void publishNow(List<ClusterEvent> events) {
        if (fenced) {
            throw new FencedException(transactionalId + " was fenced by a newer leader", null);
        }
        try {
            sendOnce(events);
        } catch (KafkaException e) {
            if (isFatal(e)) {
                fenced = true;
                throw new FencedException(transactionalId + " was fenced by a newer leader", e);
            }
            abortQuietly();
            throw e;
        }
    }

    public boolean isFenced() {
        return fenced;
    }

    private void run(Runnable onLost) {
        List<ClusterEvent> batch = new ArrayList<>();
        try {
            while (!closed) {
                batch.add(queue.take());
                queue.drainTo(batch);
                if (!sendWithRetry(batch)) {
                    onLost.run();
                    return;
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when sent; false when this producer can never send again (fenced or in a fatal state). */
    private boolean sendWithRetry(List<ClusterEvent> batch) throws InterruptedException {
        while (!closed) {
            synchronized (this) {
                if (fenced) {
                    return false;
                }
                try {
                    sendOnce(batch);
                    return true;
                } catch (KafkaException e) {
                    if (closed) {
                        return true;
                    }
                    if (isFatal(e)) {
                        fenced = true;
                        LOG.error("producer {} was fenced or broke ({}); this watcher stops publishing", transactionalId, e.toString());
                        return false;
                    }
                    LOG.warn("transaction of {} events failed, retrying: {}", batch.size(), e.toString());
                    if (!abortQuietly()) {
                        fenced = true;
                        return false;
                    }
                }
            }
            Thread.sleep(BACKOFF.toMillis());
        }
        return true;
    }

    private void sendOnce(List<ClusterEvent> events) {
        producer.beginTransaction();
        int sent = 0;
        for (ClusterEvent e : events) {
            producer.send(new ProducerRecord<>(Topics.EVENTS, e.key().recordKey(), withinLimit(e)));
            sent++;
        }
        producer.commitTransaction();
        committed.addAndGet(sent);
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

    private boolean abortQuietly() {
        try {
            producer.abortTransaction();
            return true;
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("could not abort the transaction of {}: {}", transactionalId, e.toString());
            return !isFatal(e);
        }
    }

    /** Fenced, unauthorized or unsupported: this producer can never commit again. */
    static boolean isFatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof AuthorizationException || t instanceof UnsupportedVersionException
                    || t instanceof IllegalStateException) {
                return true;
            }
        }
        return false;
    }

    /** Stops the thread, aborts an open transaction and closes the producer. */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
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
