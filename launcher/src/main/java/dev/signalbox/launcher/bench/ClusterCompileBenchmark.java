package dev.signalbox.launcher.bench;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.SyntheticCluster;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Heartbeat;
import dev.signalbox.schemas.event.SyncMarker;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/ingress bench-clusters}: the compiler's pure work at many clusters (issue 14), printed. Every cluster
 * holds the same N Ingresses (host app-i.test), each to its own Service, exported in every cluster, with E ready
 * endpoints: so every host is one route to a Service merged across all C clusters (C x E endpoints). Measures the
 * fold of the events into the model, a full compile (the table, then its content hash, as the compiler loop does
 * before publishing), and the compile after one endpoint of one cluster changed (the compiler compiles whole
 * tables, so it is a full compile too). Reports the median and the maximum of the measured rounds, after warm-up
 * rounds. No broker: the one-change-to-every-proxy time is the propagation benchmark's ({@code bin/ingress bench}).
 */
public final class ClusterCompileBenchmark {
    /** C clusters of N Ingresses with E endpoints each; {@code rounds} measured after {@code warmup}. */
    public record Settings(int clusters, int ingresses, int endpoints, int warmup, int rounds) {
    }

    private ClusterCompileBenchmark() {
    }

    public static void run(Settings s, PrintStream out) {
        List<ClusterEvent> events = new ArrayList<>();
        List<SyncMarker> markers = new ArrayList<>();
        for (int c = 0; c < s.clusters(); c++) {
            String cluster = "c" + c;
            events.add(SyntheticCluster.ingressClass(cluster));
            for (int i = 0; i < s.ingresses(); i++) {
                events.addAll(app(cluster, c, i, s.endpoints(), 0));
            }
            markers.add(SyncMarker.of(cluster, 1, Instant.EPOCH, 0));
        }
        long t0 = System.nanoTime();
        ClusterModel model = new ClusterModel();
        events.forEach(model::apply);
        markers.forEach(model::apply);
        for (int c = 0; c < s.clusters(); c++) {
            model.apply(Heartbeat.of("c" + c, 1, Instant.EPOCH, 0));
        }
        long foldMs = (System.nanoTime() - t0) / 1_000_000;

        RoutingTable table = null;
        long[] full = new long[s.rounds()];
        for (int r = -s.warmup(); r < s.rounds(); r++) {
            long a = System.nanoTime();
            table = Isolation.compile(model);
            SnapshotCodec.contentHash(table);
            if (r >= 0) {
                full[r] = System.nanoTime() - a;
            }
        }
        long[] change = new long[s.rounds()];
        for (int r = -s.warmup(); r < s.rounds(); r++) {
            // One endpoint of one Service in the last cluster goes unready, then ready again: alternate rounds.
            long a = System.nanoTime();
            model.apply(app("c" + (s.clusters() - 1), s.clusters() - 1, 0, s.endpoints(), (r & 1) == 0 ? 1 : 0).get(2));
            RoutingTable t = Isolation.compile(model);
            SnapshotCodec.contentHash(t);
            if (r >= 0) {
                change[r] = System.nanoTime() - a;
            }
        }
        int endpointsInTable = table.backends().stream().mapToInt(b -> b.endpoints().size()).sum();
        out.printf("bench-clusters: %d clusters x %d Ingresses x %d endpoints = %d events; table: %d hosts, %d backends,"
                        + " %d endpoints, %d diagnostics%n", s.clusters(), s.ingresses(), s.endpoints(), events.size(),
                table.virtualHosts().size(), table.backends().size(), endpointsInTable, table.diagnostics().size());
        out.printf("fold of the events into the model: %d ms%n", foldMs);
        out.printf("full compile + content hash: median %.1f ms, max %.1f ms over %d rounds (after %d warm-up)%n",
                median(full), max(full), s.rounds(), s.warmup());
        out.printf("one endpoint changed in one cluster, apply + compile + hash: median %.1f ms, max %.1f ms%n",
                median(change), max(change));
        out.printf("heap used after: %d MB%n",
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        out.flush();
    }

    /** Service app-i of {@code cluster}: {@link SyntheticCluster#app} with the one path "/". */
    private static List<ClusterEvent> app(String cluster, int c, int i, int endpoints, int unready) {
        return SyntheticCluster.app(cluster, c, i, endpoints, unready, 1);
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static double max(long[] nanos) {
        return Arrays.stream(nanos).max().orElse(0) / 1e6;
    }
}
