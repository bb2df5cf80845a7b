package dev.signalbox.launcher.bench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LoadOutputTest {
    private static final String WRK = """
            Running 10s test @ http://127.0.0.1:8080/
              1 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   630.45us  200.12us   8.84ms   90.12%
                Req/Sec   101.23k     3.21k  110.00k    70.00%
              Latency Distribution
                 50%  600.00us
                 75%  700.00us
                 90%  800.00us
                 99%    1.20ms
              1005423 requests in 10.00s, 100.00MB read
              Socket errors: connect 0, read 3, write 0, timeout 2
              Non-2xx or 3xx responses: 12
            Requests/sec: 100542.30
            Transfer/sec:     10.00MB
            """;

    @Test
    void wrksReportGivesRequestsTimePercentilesAndEveryKindOfError() {
        LoadResult r = LoadOutput.wrk(WRK);
        assertEquals(new LoadResult(1005423, 10.0, 0.6, 1.2, 17), r);
        assertEquals(100542.3, r.requestsPerSecond(), 0.01);
    }

    @Test
    void wrksUnitsAreReadAsTheyArePrinted() {
        String slow = WRK.replace("600.00us", "1.50s").replace("1.20ms", "2.00m").replace("in 10.00s", "in 1.00m")
                .replace("  Socket errors: connect 0, read 3, write 0, timeout 2\n", "")
                .replace("  Non-2xx or 3xx responses: 12\n", "");
        assertEquals(new LoadResult(1005423, 60.0, 1500.0, 120_000.0, 0), LoadOutput.wrk(slow));
    }

    @Test
    void aWrkReportWithoutItsLatencyDistributionIsRefusedNamingTheOption() {
        String without = WRK.replaceAll("(?s)  Latency Distribution.*?1\\.20ms\\n", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadOutput.wrk(without));
        assertEquals(true, e.getMessage().contains("--latency"), e.getMessage());
    }

    private static final String H2LOAD = """
            starting benchmark...
            finished in 10.00s, 50000.00 req/s, 1.23MB/s
            requests: 500010 total, 500010 started, 500000 done, 499990 succeeded, 10 failed, 4 errored, 1 timeout
            status codes: 499985 2xx, 0 3xx, 2 4xx, 3 5xx
            time for request:      123us      4.50ms       456us       100us    90.00%
            """;

    @Test
    void h2loadsPercentilesComeFromItsRequestLogAndFailuresFromItsSummary() {
        List<String> log = IntStream.rangeClosed(1, 100).mapToObj(i -> "1700000000000000\t200\t" + (i * 10)).toList();
        LoadResult r = LoadOutput.h2load(H2LOAD, log);
        // nearest rank: the 50th of 100 durations is 500 us, the 99th is 990 us
        assertEquals(new LoadResult(499990, 10.0, 0.5, 0.99, 20), r);
    }

    @Test
    void anEmptyRequestLogIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LoadOutput.h2load(H2LOAD, List.of()));
    }

    @Test
    void theNearestRankPercentileOfOneValueIsThatValue() {
        assertEquals(7, LoadOutput.percentile(new long[] {7}, 99));
        assertEquals(7, LoadOutput.percentile(new long[] {7}, 50));
    }
}
