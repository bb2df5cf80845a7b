package dev.signalbox.proxy.accesslog;

import java.nio.file.Path;

/**
 * Whether and where a proxy writes its access log ({@code --access-log off|on|sample:N},
 * {@code --access-log-file FILE}).
 *
 * @param sampleEvery 0: off; 1: every request; N: about one request in N, chosen at random
 * @param file        where the JSON lines go; null: standard output
 * @param queue       how many lines may wait for the writer thread; beyond that they are dropped and counted
 */
public record AccessLogConfig(int sampleEvery, Path file, int queue) {
    public static final int DEFAULT_QUEUE = 16_384;
    public static final AccessLogConfig OFF = new AccessLogConfig(0, null, DEFAULT_QUEUE);

    public AccessLogConfig {
        if (sampleEvery < 0) {
            throw new IllegalArgumentException("the sample rate must be positive");
        }
        if (queue < 1) {
            throw new IllegalArgumentException("the access log queue needs room for at least one line");
        }
    }

    /** {@code off}, {@code on}, or {@code sample:N} with N at least 1. */
    public static AccessLogConfig parse(String mode, Path file) {
        int every;
        if (mode.equals("off")) {
            every = 0;
        } else if (mode.equals("on")) {
            every = 1;
        } else if (mode.startsWith("sample:")) {
            try {
                every = Integer.parseInt(mode.substring("sample:".length()));
            } catch (NumberFormatException e) {
                every = -1;
            }
            if (every < 1) {
                throw new IllegalArgumentException("--access-log sample:N needs N >= 1, not " + mode);
            }
        } else {
            throw new IllegalArgumentException("--access-log is off, on or sample:N, not " + mode);
        }
        return new AccessLogConfig(every, file, DEFAULT_QUEUE);
    }
}
