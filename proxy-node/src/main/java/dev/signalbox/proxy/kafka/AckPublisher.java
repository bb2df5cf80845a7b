package dev.signalbox.proxy.kafka;

import dev.signalbox.schemas.FormatVersion;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.ack.ProxyAck;
import dev.signalbox.schemas.codec.ProxyAckCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's acknowledgements to {@link Topics#PROXY_ACKS}: a version applied or rejected (with the
 * reason), a heartbeat every {@link #HEARTBEAT} while nothing changes, and a last word when the node stops.
 * Sending happens on this publisher's own thread, never on the snapshot thread: a producer blocks while it has
 * no broker, and a proxy that cannot reach Kafka must go on serving. Acknowledgements wait in a bounded queue
 * (the oldest heartbeats go first when it is full) and follow when Kafka returns; the next heartbeat repeats
 * the node's state anyway.
 */
public final class AckPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AckPublisher.class);
    /** How often a node repeats its state while nothing changes; fleet's default gone-after is three of these. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    private static final int QUEUE_LIMIT = 1000;
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final String nodeId;
    private final String cluster;
    private final String zone;
    private final Clock clock;
    private final LongSupplier appliedVersion;
    private final BooleanSupplier ready;
    private final KafkaProducer<String, byte[]> producer;
    private final BlockingDeque<ProxyAck> queue = new LinkedBlockingDeque<>();
    private final Thread thread;
    private volatile Instant appliedAt;
    private volatile boolean stopping;
    /** Whether an acknowledgement was ever delivered: without, the topic or Kafka is away and close() says nothing. */
    private volatile boolean delivered;

    /**
     * @param cluster        the cluster the node runs in, told in every acknowledgement
     * @param zone           its zone, or null when unknown
     * @param appliedVersion the version the node serves now (0 before the first)
     * @param ready          whether the node is ready
     */
    public AckPublisher(KafkaConnection kafka, String nodeId, String cluster, String zone, Clock clock,
                        LongSupplier appliedVersion, BooleanSupplier ready) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.zone = zone;
        this.clock = clock;
        this.appliedVersion = appliedVersion;
        this.ready = ready;
        Properties p = new Properties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "signalbox-proxy-acks-" + nodeId);
        // An acknowledgement is small and not worth a broker's wait for all replicas: the next heartbeat repeats it.
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        // Without a broker send() blocks this long before it fails; this thread then keeps the ack and retries.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        // Acks accepted by the producer survive an outage of this long, and are delivered when Kafka returns.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Duration.ofMinutes(10).toMillis()));
        // Idempotence needs acks=all; an ack sent twice is harmless (fleet keeps the latest per node).
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        // No JMX reporter: one producer per node, its metrics are not read.
        p.put(ProducerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        this.producer = new KafkaProducer<>(kafka.properties(p), new StringSerializer(), new ByteArraySerializer());
        this.thread = new Thread(this::run, "signalbox-proxy-acks-" + nodeId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The node applied {@code version}. Called on the snapshot thread; returns at once. */
    public void applied(long version) {
        Instant now = clock.instant();
        appliedAt = now;
        offer(ack(ProxyAck.Type.APPLIED, version, null, now));
    }

    /** The node refused {@code version} and goes on serving the one it had. Returns at once. */
    public void rejected(long version, String reason) {
        offer(ack(ProxyAck.Type.REJECTED, version, reason, clock.instant()));
    }

    private ProxyAck ack(ProxyAck.Type type, long version, String reason, Instant at) {
        return new ProxyAck(FormatVersion.CURRENT, nodeId, cluster, zone, type, version, reason, at, ready.getAsBoolean(),
                appliedAt);
    }

    private void offer(ProxyAck a) {
        while (queue.size() >= QUEUE_LIMIT) {
            // Full after a long outage: drop the oldest; the latest state is what the fleet needs.
            queue.pollFirst();
        }
        queue.offerLast(a);
    }

    private void run() {
        while (!stopping) {
            try {
                ProxyAck next = queue.pollFirst(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                if (stopping) {
                    if (next != null) {
                        queue.offerFirst(next);
                    }
                    break;
                }
                if (next == null) {
                    next = ack(ProxyAck.Type.HEARTBEAT, appliedVersion.getAsLong(), null, clock.instant());
                }
                if (!send(next)) {
                    queue.offerFirst(next);
                    Thread.sleep(RETRY.toMillis());
                }
            } catch (InterruptedException e) {
                break;
            }
        }
    }

    /** Hands the ack to the producer; false when it could not (no broker within max.block.ms). */
    private boolean send(ProxyAck a) {
        try {
            producer.send(new ProducerRecord<>(Topics.PROXY_ACKS, nodeId, ProxyAckCodec.encode(a)), (m, e) -> {
                if (e != null) {
                    LOG.debug("acknowledgement {} {} not delivered: {}", a.type(), a.version(), e.toString());
                } else {
                    delivered = true;
                }
            });
            return true;
        } catch (RuntimeException e) {
            LOG.debug("acknowledgement {} {} waits for Kafka: {}", a.type(), a.version(), e.toString());
            return false;
        }
    }

    /** Says the node stopped (best effort, at most about two seconds) and closes the producer. */
    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProxyAck last = ack(ProxyAck.Type.STOPPED, appliedVersion.getAsLong(), null, clock.instant());
        if (!delivered) {
            // Kafka or the topic was never there: do not block the node's shutdown on it.
            producer.close(Duration.ZERO);
            return;
        }
        try {
            // Each send blocks at most max.block.ms without a broker; the first failure ends the attempt.
            for (ProxyAck a : queue) {
                producer.send(new ProducerRecord<>(Topics.PROXY_ACKS, nodeId, ProxyAckCodec.encode(a)));
            }
            producer.send(new ProducerRecord<>(Topics.PROXY_ACKS, nodeId, ProxyAckCodec.encode(last)));
        } catch (RuntimeException e) {
            LOG.debug("could not say the node stopped: {}", e.toString());
        } finally {
            producer.close(Duration.ofSeconds(2));
        }
    }
}
