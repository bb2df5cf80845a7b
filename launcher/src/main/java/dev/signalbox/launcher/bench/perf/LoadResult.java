package dev.signalbox.launcher.bench.perf;

/**
 * What one load run measured: requests completed, over how long, latency percentiles, and the requests that
 * failed (socket errors, timeouts and answers other than 2xx/3xx).
 */
public record LoadResult(long requests, double seconds, double p50Ms, double p99Ms, long errors) {
    public double requestsPerSecond() {
        return seconds <= 0 ? 0 : requests / seconds;
    }
}
