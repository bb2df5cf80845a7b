package dev.signalbox.proxy.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.schemas.codec.Json;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    private static final AccessEntry ENTRY = new AccessEntry(1_700_000_000_123L, "10.0.0.7", "GET", "demo.test",
            "/a?q=\"x\"", 200, 0, 42, 1_500_000, "10.1.2.3:8080", 1_000_000, "demo.test/", "c/ns/demo", 7,
            "0123456789abcdef0123456789abcdef");

    @Test
    void anEntryIsOneLineOfJsonWithEveryField() throws Exception {
        String line = ENTRY.json();
        assertFalse(line.contains("\n"));
        JsonNode j = Json.MAPPER.readTree(line);
        assertEquals("2023-11-14T22:13:20.123Z", j.get("time").asText());
        assertEquals("10.0.0.7", j.get("client").asText());
        assertEquals("GET", j.get("method").asText());
        assertEquals("demo.test", j.get("host").asText());
        assertEquals("/a?q=\"x\"", j.get("path").asText());
        assertEquals(200, j.get("status").asInt());
        assertEquals(0, j.get("bytes_in").asLong());
        assertEquals(42, j.get("bytes_out").asLong());
        assertEquals(0.0015, j.get("duration_s").asDouble());
        assertEquals("10.1.2.3:8080", j.get("upstream").asText());
        assertEquals(0.001, j.get("upstream_duration_s").asDouble());
        assertEquals("demo.test/", j.get("route").asText());
        assertEquals("c/ns/demo", j.get("ingress").asText());
        assertEquals(7, j.get("version").asLong());
        assertEquals("0123456789abcdef0123456789abcdef", j.get("request_id").asText());
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() {
        PrometheusRegistry registry = new PrometheusRegistry();
        // The writer thread is not started: nothing leaves the queue of two, as with a writer stuck on a full disk.
        AccessLog log = new AccessLog(new AccessLogConfig(1, null, 2), OutputStream.nullOutputStream(),
                Counter.builder().name("signalbox_access_log_lines_total").register(registry),
                Counter.builder().name("signalbox_access_log_dropped_total").register(registry), false);
        for (int i = 0; i < 5; i++) {
            log.offer(ENTRY, null);
        }
        assertEquals(3.0, counter(registry, "signalbox_access_log_dropped"));
        assertEquals(0.0, counter(registry, "signalbox_access_log_lines"));
    }

    @Test
    void theModeIsOffOnOrSampled() {
        assertEquals(0, AccessLogConfig.parse("off", null).sampleEvery());
        assertEquals(1, AccessLogConfig.parse("on", null).sampleEvery());
        assertEquals(100, AccessLogConfig.parse("sample:100", Path.of("x")).sampleEvery());
        assertThrows(IllegalArgumentException.class, () -> AccessLogConfig.parse("sample:0", null));
        assertThrows(IllegalArgumentException.class, () -> AccessLogConfig.parse("sometimes", null));
        assertTrue(AccessLog.open(AccessLogConfig.parse("off", null), null, null) == AccessLog.OFF);
        assertFalse(AccessLog.OFF.sampled());
    }

    @Test
    void sampleNLogsAboutOneRequestInN() {
        AccessLog log = new AccessLog(new AccessLogConfig(10, null, 1), OutputStream.nullOutputStream(), null, null, false);
        int draws = 1_000_000;
        int sampled = 0;
        for (int i = 0; i < draws; i++) {
            if (log.sampled()) {
                sampled++;
            }
        }
        // Binomial(10^6, 0.1): mean 100,000, standard deviation 300. Ten deviations either way: a random draw
        // outside them has a probability below 1e-22, while sampling one in 9 or one in 11 lands 10,000 away.
        assertTrue(Math.abs(sampled - draws / 10) <= 3_000, sampled + " of " + draws + " sampled with sample:10");
        AccessLog every = new AccessLog(new AccessLogConfig(1, null, 1), OutputStream.nullOutputStream(), null, null, false);
        assertTrue(every.sampled() && every.sampled(), "on: every request");
    }

    /**
     * Two proxies of one local mode append to one file: each write carries whole lines, so however their writes
     * interleave, every line of the file is one entry. Lines of 3,000 bytes do not divide the 64 KiB batches, where
     * a writer that split a line at its buffer's end had the other's lines land in the middle of it.
     */
    @Test
    void twoLogsAppendingToOneFileNeverMixTheirLines() throws Exception {
        Path file = Files.createTempFile("signalbox-access", ".log");
        try {
            PrometheusRegistry registry = new PrometheusRegistry();
            AccessLogConfig config = new AccessLogConfig(1, file, 100_000);
            int each = 5_000;
            List<AccessLog> logs = List.of(
                    AccessLog.open(config, Counter.builder().name("a_written").register(registry),
                            Counter.builder().name("a_dropped").register(registry)),
                    AccessLog.open(config, Counter.builder().name("b_written").register(registry),
                            Counter.builder().name("b_dropped").register(registry)));
            List<Thread> offering = logs.stream().map(log -> new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    log.offer(new AccessEntry(ENTRY.startMillis(), ENTRY.client(), "GET", "demo.test",
                            "/" + "x".repeat(3_000) + "?n=" + i, 200, 0, 42, 1_500_000, null, 0, "demo.test/", null, 7,
                            null), null);
                }
            })).toList();
            offering.forEach(Thread::start);
            for (Thread t : offering) {
                t.join();
            }
            logs.forEach(AccessLog::close);
            List<String> lines = Files.readAllLines(file);
            assertEquals(2 * each, lines.size());
            for (String line : lines) {
                assertTrue(line.startsWith("{") && Json.MAPPER.readTree(line).get("path").asText().startsWith("/xxx"),
                        "a line mixed with another: " + line.substring(0, Math.min(200, line.length())));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double counter(PrometheusRegistry registry, String name) {
        return registry.scrape().stream().filter(s -> s.getMetadata().getName().equals(name))
                .map(s -> ((CounterSnapshot) s).getDataPoints().get(0).getValue()).findFirst().orElseThrow();
    }
}
