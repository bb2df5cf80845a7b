package dev.signalbox.launcher.bench.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What Linux's /proc says about CPU time: a process tree's (the JVM's threads, or nginx's master and worker) and
 * the whole machine's, to wait while other work loads it.
 */
final class Machine {
    /** USER_HZ: /proc counts CPU time in these ticks; 100 on every Linux this runs on ({@code getconf CLK_TCK}). */
    private static final double TICKS_PER_SECOND = 100.0;

    private Machine() {
    }

    /** CPU seconds (user + system) used so far by {@code pid} and every process below it. */
    static double cpuSeconds(long pid) {
        long ticks = 0;
        for (long p : tree(pid)) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(p), "stat"));
                // Fields after the command name (which may hold spaces), from field 3 (state): utime is 14, stime 15.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException gone) {
                // the process ended between listing and reading: it adds nothing now
            }
        }
        return ticks / TICKS_PER_SECOND;
    }

    /**
     * Moves {@code pid}, every thread of it and every process below it (nginx's workers) to {@code core}
     * ({@code taskset -a -p}); threads started later inherit it. A process that ended meanwhile is skipped; one that
     * could not be moved stops the benchmark, whose figures would otherwise say the cores were shared as documented.
     */
    static void pin(long pid, int core) throws IOException, InterruptedException {
        for (long p : tree(pid)) {
            Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(core), Long.toString(p))
                    .redirectErrorStream(true).start();
            String out = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (taskset.waitFor() != 0 && ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IOException("taskset could not move process " + p + " to core " + core + ": " + out.trim());
            }
        }
    }

    /** {@code pid} and every process below it. */
    private static List<Long> tree(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    /** The share of the machine's CPU time (0..1) spent busy over the next {@code millis}. */
    static double busyShare(long millis) throws IOException, InterruptedException {
        long[] a = cpuLine();
        Thread.sleep(millis);
        long[] b = cpuLine();
        long busy = (b[0] - b[1]) - (a[0] - a[1]);
        long total = b[0] - a[0];
        return total <= 0 ? 0 : (double) busy / total;
    }

    /** {total, idle + iowait} ticks from /proc/stat's first line. */
    private static long[] cpuLine() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/stat"))) {
            String[] f = lines.findFirst().orElseThrow().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        }
    }
}
