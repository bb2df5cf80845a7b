package dev.signalbox.launcher.bench.perf;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what the load generators print: {@code wrk --latency}'s report, and {@code h2load}'s summary with its
 * per-request log ({@code --log-file}), from which the percentiles are computed (h2load prints none).
 * Pure: text in, {@link LoadResult} out.
 */
public final class LoadOutput {
    private static final Pattern WRK_TOTAL = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m|h)");
    private static final Pattern WRK_PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern WRK_SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern WRK_NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern H2LOAD_FINISHED = Pattern.compile("finished in ([\\d.]+)(us|ms|s|m|h),");
    private static final Pattern H2LOAD_REQUESTS = Pattern.compile(
            "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout");
    private static final Pattern H2LOAD_STATUS = Pattern.compile(
            "status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

    private LoadOutput() {
    }

    /** wrk's report; read errors count as failed requests, as do answers other than 2xx and 3xx. */
    public static LoadResult wrk(String report) {
        Matcher total = find(WRK_TOTAL, report, "the total (\"N requests in T\")");
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher m = WRK_PERCENTILE.matcher(report);
        while (m.find()) {
            double ms = millis(m.group(2), m.group(3));
            if (m.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        if (Double.isNaN(p50) || Double.isNaN(p99)) {
            throw new IllegalArgumentException("wrk printed no latency distribution (run it with --latency):\n" + report);
        }
        long errors = 0;
        Matcher socket = WRK_SOCKET_ERRORS.matcher(report);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        Matcher non2xx = WRK_NON_2XX.matcher(report);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        return new LoadResult(Long.parseLong(total.group(1)), millis(total.group(2), total.group(3)) / 1000.0,
                p50, p99, errors);
    }

    /**
     * h2load's summary and its per-request log, one line per request: start time (µs since the epoch), status
     * code, and duration (µs), tab-separated. Requests that got no answer (status -1) count as failed, as do
     * answers other than 2xx and 3xx.
     */
    public static LoadResult h2load(String summary, List<String> logLines) {
        Matcher finished = find(H2LOAD_FINISHED, summary, "\"finished in\"");
        Matcher requests = find(H2LOAD_REQUESTS, summary, "the requests line");
        Matcher status = find(H2LOAD_STATUS, summary, "the status codes line");
        long succeeded = Long.parseLong(requests.group(4));
        long failed = Long.parseLong(requests.group(5)) + Long.parseLong(requests.group(6)) + Long.parseLong(requests.group(7));
        long bad = Long.parseLong(status.group(3)) + Long.parseLong(status.group(4));
        long[] durations = new long[logLines.size()];
        int n = 0;
        for (String line : logLines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3) {
                durations[n++] = Long.parseLong(f[2]);
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("h2load's request log is empty:\n" + summary);
        }
        long[] sorted = Arrays.copyOf(durations, n);
        Arrays.sort(sorted);
        return new LoadResult(succeeded, millis(finished.group(1), finished.group(2)) / 1000.0,
                percentile(sorted, 50) / 1000.0, percentile(sorted, 99) / 1000.0, failed + bad);
    }

    /** The nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static Matcher find(Pattern p, String text, String what) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + what + " in the load generator's output:\n" + text);
        }
        return m;
    }

    private static double millis(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> v / 1000.0;
            case "ms" -> v;
            case "s" -> v * 1000.0;
            case "m" -> v * 60_000.0;
            case "h" -> v * 3_600_000.0;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
