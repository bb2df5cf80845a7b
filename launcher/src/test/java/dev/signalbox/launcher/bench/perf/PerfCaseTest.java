package dev.signalbox.launcher.bench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerfCaseTest {
    private static final Path SCRIPT = Path.of("/w/upload.lua");
    private static final Path LOG = Path.of("/w/requests.log");

    private static List<String> command(int n) {
        return PerfCase.all().get(n - 1).command(8080, Duration.ofSeconds(10), SCRIPT, LOG);
    }

    @Test
    void closedLoopHttp11CasesRunWrkWithOneThreadItsLatencyReportAndTheRoutedHost() {
        assertEquals(List.of("wrk", "-t1", "-c256", "-d10s", "--latency", "-H", "Host: localhost", "http://127.0.0.1:8080/"),
                command(2));
        assertEquals(List.of("wrk", "-t1", "-c16", "-d10s", "--latency", "-H", "Host: localhost", "-s", "/w/upload.lua",
                "http://127.0.0.1:8080/upload"), command(4));
        assertEquals("https://127.0.0.1:8080/", command(5).get(command(5).size() - 1));
    }

    @Test
    void http2CasesRunH2loadWithStreamsPerConnectionAndARequestLog() {
        assertEquals(List.of("h2load", "-t1", "-c64", "-m10", "-D10", "--warm-up-time=1", "--log-file=/w/requests.log",
                "-H", ":authority: localhost", "https://127.0.0.1:8080/"), command(7));
    }

    @Test
    void theFixedRateCaseSpreadsItsRateOverItsConnectionsOverHttp11() {
        assertEquals(List.of("h2load", "-t1", "-c64", "-m1", "-n160000", "--rps=250", "--log-file=/w/requests.log",
                "-H", ":authority: localhost", "--h1", "http://127.0.0.1:8080/"), command(8));
    }

    @Test
    void theUploadScriptPostsTheWholeBody() {
        String script = PerfCase.all().get(3).uploadScript();
        assertEquals(true, script.contains("wrk.method = \"POST\""));
        assertEquals(true, script.contains("string.rep(\"x\", 1048576)"));
    }
}
