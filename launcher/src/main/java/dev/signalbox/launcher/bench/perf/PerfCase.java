package dev.signalbox.launcher.bench.perf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One load shape, run the same way against every target: which generator, over HTTP/1.1 or HTTP/2, plain or
 * TLS, how many connections and streams, which path, an upload body, or a fixed offered rate. Every request
 * names the host {@link #HOST}, which Signalbox routes to the backend and the anchors ignore.
 *
 * @param requestsPerSecond 0 for a closed loop (as fast as the proxy answers); otherwise the offered rate, spread
 *                          over the connections
 */
public record PerfCase(String name, boolean tls, boolean http2, int connections, int streams, String path,
                       int uploadBytes, int requestsPerSecond) {
    public static final String HOST = "localhost";

    /** The cases of issue 16, in the order they are run and printed. */
    public static List<PerfCase> all() {
        return List.of(
                new PerfCase("http/1.1 64 conns, 2 B", false, false, 64, 1, "/", 0, 0),
                new PerfCase("http/1.1 256 conns, 2 B", false, false, 256, 1, "/", 0, 0),
                new PerfCase("http/1.1 64 conns, 16 KiB", false, false, 64, 1, "/16k", 0, 0),
                new PerfCase("http/1.1 16 conns, 1 MiB upload", false, false, 16, 1, "/upload", 1 << 20, 0),
                new PerfCase("https/1.1 64 conns, 2 B", true, false, 64, 1, "/", 0, 0),
                new PerfCase("h2 tls 64 conns x 1 stream", true, true, 64, 1, "/", 0, 0),
                new PerfCase("h2 tls 64 conns x 10 streams", true, true, 64, 10, "/", 0, 0),
                new PerfCase("http/1.1 64 conns at 16,000 req/s", false, false, 64, 1, "/", 0, 16_000));
    }

    public boolean fixedRate() {
        return requestsPerSecond > 0;
    }

    /** wrk runs the closed-loop HTTP/1.1 cases (it reports percentiles); h2load the HTTP/2 and fixed-rate ones. */
    public boolean usesWrk() {
        return !http2 && !fixedRate();
    }

    /**
     * The load generator's command line against 127.0.0.1:{@code port}, without the CPU pinning.
     *
     * @param script  wrk's Lua script for an upload (written by the caller from {@link #uploadScript()})
     * @param logFile h2load's per-request log, from which the percentiles come
     */
    public List<String> command(int port, Duration duration, Path script, Path logFile) {
        String url = (tls ? "https" : "http") + "://127.0.0.1:" + port + path;
        long seconds = Math.max(1, duration.toSeconds());
        List<String> cmd = new ArrayList<>();
        if (usesWrk()) {
            cmd.addAll(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency",
                    "-H", "Host: " + HOST));
            if (uploadBytes > 0) {
                cmd.addAll(List.of("-s", script.toString()));
            }
        } else {
            cmd.addAll(List.of("h2load", "-t1", "-c" + connections, "-m" + streams));
            if (fixedRate()) {
                // h2load 1.52 (Debian 12) never exits when --rps is combined with -D: a fixed rate runs for a count.
                cmd.addAll(List.of("-n" + (long) requestsPerSecond * seconds,
                        "--rps=" + Math.max(1, requestsPerSecond / connections)));
            } else {
                cmd.addAll(List.of("-D" + seconds, "--warm-up-time=1"));
            }
            // :authority becomes Host over HTTP/1.1; a "host" header would be a second one (400)
            cmd.addAll(List.of("--log-file=" + logFile, "-H", ":authority: " + HOST));
            if (!http2) {
                cmd.add("--h1");
            }
        }
        cmd.add(url);
        return List.copyOf(cmd);
    }

    /** wrk's Lua script posting {@link #uploadBytes} bytes per request. */
    public String uploadScript() {
        return """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/octet-stream"
                wrk.body = string.rep("x", %d)
                """.formatted(uploadBytes);
    }
}
