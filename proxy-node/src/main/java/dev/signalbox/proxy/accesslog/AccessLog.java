package dev.signalbox.proxy.accesslog;

import io.prometheus.metrics.core.metrics.Counter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import dev.signalbox.routing.CompiledTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxy's access log: one JSON line per request ({@link AccessEntry}), written off the event loop. The event
 * loop only {@link #sampled() decides} whether a request is logged and {@link #offer offers} the finished entry to a
 * bounded queue, which never blocks: when the queue is full (the disk or the terminal is slower than the traffic)
 * the line is dropped and counted in {@code signalbox_access_log_dropped_total}, and the request goes on as if
 * nothing happened. One daemon thread ("signalbox-access-log") formats and writes, flushing whenever the queue
 * runs empty.
 *
 * <p>Lines are gathered in a buffer of {@value #BATCH_BYTES} bytes and each write hands the stream whole lines, never
 * part of one: several proxies of one local mode log to the same standard output (whose writes exclude each other)
 * or append to the same file (where a write of an {@code O_APPEND} file lands whole), so their lines never mix.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    public static final AccessLog OFF = new AccessLog();
    /** How many bytes of lines are written at once, at most (one line longer than that is written alone). */
    static final int BATCH_BYTES = 64 << 10;

    private final int sampleEvery;
    private final BlockingQueue<Queued> queue;
    private final OutputStream out;
    private final Thread thread;
    private final Counter written;
    private final Counter dropped;
    private volatile boolean closed;

    private AccessLog() {
        this.sampleEvery = 0;
        this.queue = null;
        this.out = null;
        this.thread = null;
        this.written = null;
        this.dropped = null;
    }

    /**
     * @param out     where the lines go
     * @param written counts the lines written; {@code dropped} those dropped
     */
    AccessLog(AccessLogConfig config, OutputStream out, Counter written, Counter dropped, boolean start) {
        this.sampleEvery = config.sampleEvery();
        this.queue = new ArrayBlockingQueue<>(config.queue());
        this.out = out;
        this.written = written;
        this.dropped = dropped;
        this.thread = new Thread(this::run, "signalbox-access-log");
        thread.setDaemon(true);
        if (start) {
            thread.start();
        }
    }

    /** The log {@code config} asks for, writing to standard output or its file; {@link #OFF} when off. */
    public static AccessLog open(AccessLogConfig config, Counter written, Counter dropped) {
        if (config.sampleEvery() == 0) {
            return OFF;
        }
        OutputStream out;
        try {
            out = config.file() == null ? System.out : Files.newOutputStream(config.file(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot open the access log " + config.file(), e);
        }
        LOG.info("access log: {} to {}", config.sampleEvery() == 1 ? "every request" : "one request in " + config.sampleEvery(),
                config.file() == null ? "standard output" : config.file());
        return new AccessLog(config, out, written, dropped, true);
    }

    /** Whether to log this request: on the event loop, before the exchange collects anything. */
    public boolean sampled() {
        return sampleEvery == 1 || (sampleEvery > 1 && ThreadLocalRandom.current().nextInt(sampleEvery) == 0);
    }

    /** A finished entry and the table its request was routed with, whose rule names the Ingress. */
    private record Queued(AccessEntry entry, CompiledTable table) {
        /** The entry with its route's Ingress, found by the proxy's own matcher, on the writer thread. */
        AccessEntry completed() {
            if (table == null || entry.host() == null || CompiledTable.NO_ROUTE.equals(entry.route())) {
                return entry;
            }
            String path = entry.path();
            int q = path.indexOf('?');
            CompiledTable.Match m = table.match(entry.host(), q < 0 ? path : path.substring(0, q));
            String ingress = m == null || m.route() == null ? null : m.route().source();
            AccessEntry e = entry;
            return new AccessEntry(e.startMillis(), e.client(), e.method(), e.host(), e.path(), e.status(), e.bytesIn(),
                    e.bytesOut(), e.durationNanos(), e.upstream(), e.upstreamNanos(), e.route(), ingress, e.version(),
                    e.requestId());
        }
    }

    /**
     * Queues {@code e}, or drops and counts it when the queue is full; never blocks. Any thread.
     *
     * @param table the table the request was routed with (its Ingress is looked up on the writer thread)
     */
    public void offer(AccessEntry e, CompiledTable table) {
        if (queue == null || closed) {
            return;
        }
        if (!queue.offer(new Queued(e, table))) {
            dropped.inc();
        }
    }

    private void run() {
        List<Queued> batch = new ArrayList<>(256);
        ByteArrayOutputStream lines = new ByteArrayOutputStream(BATCH_BYTES);
        try {
            while (!closed || !queue.isEmpty()) {
                Queued first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4096);
                for (Queued e : batch) {
                    byte[] line = e.completed().json().getBytes(StandardCharsets.UTF_8);
                    if (lines.size() > 0 && lines.size() + line.length + 1 > BATCH_BYTES) {
                        lines.writeTo(out);
                        lines.reset();
                    }
                    lines.write(line);
                    lines.write('\n');
                }
                written.inc(batch.size());
                batch.clear();
                if (queue.isEmpty()) {
                    lines.writeTo(out);
                    lines.reset();
                    out.flush();
                }
            }
            lines.writeTo(out);
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("the access log stopped writing: {}", e.toString());
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        if (thread == null || closed) {
            return;
        }
        closed = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (out != System.out) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("closing the access log: {}", e.toString());
            }
        }
    }
}
