package dev.signalbox.launcher.bench;

import dev.signalbox.launcher.local.DemoBackend;
import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.local.TempDirs;
import dev.signalbox.launcher.manifests.Manifests;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bin/ingress bench [--changes 100] [--proxies 2] [--warmup 200] [--paths 10]}: how long an Ingress
 * edit takes to reach every proxy in local mode. Each change replaces a manifest file (write aside, rename)
 * with one whose Ingress adds a new path and drops its oldest, so it always has {@code --paths} paths (a
 * file that grew with every change would make later changes slower to parse, and the figure depend on the
 * warm-up's length); then every proxy is polled until the new path answers 200, and the change's time is
 * the slowest proxy's. The first {@code --warmup} changes are reported apart: they run on a JVM and a
 * broker that are still being compiled (a transactional produce takes about three times longer then),
 * while the figure that matters is a running pipeline's. Prints start-to-ready, the warm-up's p50/p99, the
 * p50/p90/p99/max of the counted changes and how much JIT compiling went on while they ran.
 */
public final class PropagationBenchmark {
    private static final Manifests MANIFESTS = new Manifests("bench");
    /** What {@code bin/ingress bench} was asked for: counted changes, warm-up changes, proxies, paths kept. */
    public record Settings(int changes, int warmup, int proxies, int paths) {
    }

    private PropagationBenchmark() {
    }

    public static void run(Settings settings) throws Exception {
        int changes = settings.changes();
        int warmup = settings.warmup();
        int proxies = settings.proxies();
        int window = settings.paths();
        Path root = Files.createTempDirectory("signalbox-bench");
        Path dir = Files.createDirectories(root.resolve("manifests"));
        try (DemoBackend backend = DemoBackend.start("bench", 0)) {
            Files.writeString(dir.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(dir.resolve("service.yaml"), MANIFESTS.service("svc", backend.port()));
            Files.writeString(dir.resolve("app.yaml"), MANIFESTS.ingress("app", "bench.local", List.of("/v0"), "svc"));
            long t0 = System.nanoTime();
            LocalConfig config = new LocalConfig(dir, "127.0.0.1",
                    new LocalConfig.Ports(0, 0, 0), proxies, root.resolve("data"), 0, "bench", false);
            ExecutorService pool = Executors.newFixedThreadPool(proxies);
            try (LocalMode local = LocalMode.start(config)) {
                List<Probe> probes = local.proxies().stream().map(p -> new Probe(p.httpPort())).toList();
                for (Probe p : probes) {
                    await(p, "/v0", Long.MAX_VALUE);
                }
                long ready = System.nanoTime() - t0;
                System.out.printf(Locale.ROOT, "start to first request served by all %d proxies: %d ms%n", proxies, ready / 1_000_000);

                List<String> paths = new ArrayList<>(List.of("/v0"));
                CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
                long jitBefore = 0;
                long countedFrom = 0;
                double[] cold = new double[warmup];
                double[] ms = new double[changes];
                long[] writtenAt = new long[changes];
                long[] servedAt = new long[changes];
                for (int i = 1; i <= warmup + changes; i++) {
                    paths.add("/v" + i);
                    if (paths.size() > window) {
                        paths.remove(0);
                    }
                    if (i == warmup + 1) {
                        jitBefore = jit.getTotalCompilationTime();
                        countedFrom = System.nanoTime();
                    }
                    String yaml = MANIFESTS.ingress("app", "bench.local", paths, "svc");
                    String path = "/v" + i;
                    long start = System.nanoTime();
                    long wallStart = System.currentTimeMillis();
                    // Written aside and renamed into place, as a deployment tool should: the watcher may read a
                    // file that is rewritten in place half-way (more than one write(2) call), and publish that.
                    Path next = dir.resolve(".app.yaml.next");
                    Files.writeString(next, yaml);
                    Files.move(next, dir.resolve("app.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    List<Future<Long>> served = new ArrayList<>();
                    for (Probe p : probes) {
                        served.add(pool.submit(() -> await(p, path, start)));
                    }
                    long slowest = 0;
                    for (Future<Long> f : served) {
                        slowest = Math.max(slowest, f.get());
                    }
                    if (i <= warmup) {
                        cold[i - 1] = slowest / 1e6;
                    } else {
                        ms[i - warmup - 1] = slowest / 1e6;
                        writtenAt[i - warmup - 1] = wallStart;
                        servedAt[i - warmup - 1] = wallStart + slowest / 1_000_000;
                    }
                }
                if (warmup > 0) {
                    Arrays.sort(cold);
                    System.out.printf(Locale.ROOT, "%d warm-up changes, the first after start (not counted below): p50 %.1f ms   p99 %.1f ms   max %.1f ms%n",
                            warmup, pct(cold, 50), pct(cold, 99), cold[cold.length - 1]);
                }
                System.out.printf(Locale.ROOT, "  JIT compiling while the counted changes ran: %d ms of CPU in %d ms%n",
                        jit.getTotalCompilationTime() - jitBefore, (System.nanoTime() - countedFrom) / 1_000_000);
                StageTimes.print(local.bootstrapServers(), writtenAt, servedAt);
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%d Ingress changes (file written -> first 200 on every one of %d proxies):%n",
                        changes, proxies);
                System.out.printf(Locale.ROOT, "  p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms   min %.1f ms%n",
                        pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[ms.length - 1], ms[0]);
                probes.forEach(Probe::close);
            } finally {
                pool.shutdownNow();
            }
        } finally {
            TempDirs.deleteRecursively(root);
        }
    }

    /** Polls until {@code path} answers 200; returns nanoseconds since {@code since}. */
    private static long await(Probe p, String path, long since) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (p.status("bench.local", path) == 200) {
                return since == Long.MAX_VALUE ? 0 : System.nanoTime() - since;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("a proxy never served " + path);
    }

    private static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
