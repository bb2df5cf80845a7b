package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.election.LeaseRecord;
import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The lease topic's I/O for one compiler: reads every lease record in the topic's order and writes this
 * compiler's claims, renewals and releases. Thin: what to write is {@link dev.signalbox.compiler.election.Election}'s
 * decision. Used by the compiler's election thread only.
 *
 * <p>On start it reads only the last {@link #TAIL} records: the lease is about the last seconds, and a renewal
 * names its term and holder, so the tail is enough. Records read in that first catch-up are dated by their
 * timestamp (a lease written long ago is not live), later ones by when they were read (no clock comparison).
 */
public final class LeaseLink implements AutoCloseable {
    private static final int TAIL = 64;
    private static final TopicPartition LEASE = new TopicPartition(Topics.COMPILER_LEASE, 0);

    /** A record read and when it counts as heard (monotonic nanoseconds). */
    public record Heard(LeaseRecord record, long at) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final long leaseNanos;
    private long startEnd;

    public LeaseLink(KafkaConnection kafka, Duration leaseTime) {
        this.leaseNanos = leaseTime.toNanos();
        Properties p = new Properties();
        // A claim or renewal older than the lease is worthless: fail it fast rather than retry for two minutes.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1000, leaseTime.toMillis() * 2)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1000, leaseTime.toMillis() * 2)));
        // A renewal goes out at once: lingering only shortens the lease's margin.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // send() must not block the election thread for a minute while the broker is away.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(Math.max(1000, leaseTime.toMillis())));
        this.producer = new KafkaProducer<>(kafka.properties(p), new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        // No group: every compiler reads every record, positioned by hand.
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // fetch.max.wait.ms stays at Kafka's 500 ms: with fetch.min.bytes 1 a renewal answers a waiting fetch as soon
        // as it is written, so a standby hears it as soon with any wait; the wait bounds only fetches that find
        // nothing, and 50 ms made twenty of those a second per compiler, waking its consumer and the broker.
        this.consumer = new KafkaConsumer<>(kafka.properties(c), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(LEASE));
        long end = consumer.endOffsets(List.of(LEASE), Duration.ofSeconds(30)).get(LEASE);
        long begin = consumer.beginningOffsets(List.of(LEASE), Duration.ofSeconds(30)).get(LEASE);
        startEnd = end;
        consumer.seek(LEASE, Math.max(begin, end - TAIL));
    }

    /** The lease records written since the last call, waiting at most {@code timeout} for the first. */
    public List<Heard> poll(Duration timeout) {
        List<Heard> heard = new ArrayList<>();
        long now = System.nanoTime();
        long wall = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            Optional<LeaseRecord> l = LeaseRecord.decode(r.value());
            if (l.isEmpty()) {
                continue;
            }
            long at = now;
            if (r.offset() < startEnd) {
                long ageNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, wall - r.timestamp()));
                at = now - Math.min(ageNanos, leaseNanos);
            }
            heard.add(new Heard(l.get(), at));
        }
        return heard;
    }

    /** Sends a renewal without waiting for it. */
    public void send(LeaseRecord r) {
        producer.send(new ProducerRecord<>(Topics.COMPILER_LEASE, 0, null, r.encode()));
    }

    /** Writes {@code r} and waits (up to the lease time twice) until it is in the topic; its offset. */
    public long write(LeaseRecord r) {
        try {
            RecordMetadata m = producer.send(new ProducerRecord<>(Topics.COMPILER_LEASE, 0, null, r.encode()))
                    .get(2 * leaseNanos, TimeUnit.NANOSECONDS);
            return m.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted writing " + r, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("writing " + r + " timed out", e);
        }
    }

    /** The offset of the next record this link will read. */
    public long position() {
        return consumer.position(LEASE);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
        consumer.close(Duration.ofSeconds(2));
    }
}
