package dev.signalbox.launcher;

import dev.signalbox.launcher.migrate.MigrationReport;
import dev.signalbox.launcher.migrate.MigrationReport.AnnotationCount;
import dev.signalbox.launcher.migrate.MigrationReport.AnnotationRow;
import dev.signalbox.launcher.migrate.MigrationReport.IngressReport;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.watcher.k8s.ClusterIngresses;
import dev.signalbox.watcher.manifests.ManifestDirectory;
import dev.signalbox.watcher.model.Observed;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/ingress migrate}: what Signalbox would do with the ingress-nginx annotations of a cluster's or a
 * directory's Ingresses, with the compiler's own catalogue ({@link dev.signalbox.compiler.compile.Annotations}).
 */
@Command(name = "migrate", header = "What Signalbox does with each ingress-nginx annotation of your Ingresses.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"For every Ingress, each annotation under nginx.ingress.kubernetes.io/ and signalbox.dev/: supported "
            + "as ingress-nginx supports it, supported with a difference (which), not supported (what to use instead), "
            + "refused (configuration snippets: the Ingress is not routed), or unknown (a typo); then the counts.",
            "Exit 0 when every Ingress would behave as under ingress-nginx, 1 when one would not (or a file does not "
                + "parse), 2 usage error, 3 the cluster cannot be reached."})
final class MigrateCommand implements Callable<Integer> {
    /** The cluster id the objects are read under; only namespaces and names are shown. */
    private static final String CLUSTER = "migrate";

    @Spec
    CommandSpec spec;

    static final class Source {
        @Option(names = "--manifests", required = true, paramLabel = "DIR",
                description = "A directory tree of Kubernetes YAML (*.yaml, *.yml).")
        Path manifests;

        @Option(names = "--kubeconfig", required = true, paramLabel = "FILE",
                description = "Read the Ingresses of every namespace of this kubeconfig's current context.")
        Path kubeconfig;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Observed> objects;
        List<String> unreadable = List.of();
        if (source.manifests != null) {
            if (!Files.isDirectory(source.manifests)) {
                throw new ParameterException(spec.commandLine(), "--manifests " + source.manifests + " is not a directory");
            }
            try {
                ManifestDirectory.Read read = ManifestDirectory.readOnce(source.manifests, CLUSTER, KeyRing.empty());
                objects = read.objects();
                unreadable = read.problems();
            } catch (IOException | UncheckedIOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read " + source.manifests + ": " + e.getMessage());
            }
        } else {
            if (!Files.isReadable(source.kubeconfig)) {
                throw new ParameterException(spec.commandLine(), "cannot read " + source.kubeconfig);
            }
            try {
                objects = ClusterIngresses.list(source.kubeconfig, CLUSTER);
            } catch (IOException | RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                err.println("signalbox: cannot list Ingresses with " + source.kubeconfig + ": " + e.getMessage()
                        + (root == e ? "" : " (" + root + ")"));
                err.flush();
                return 3;
            }
        }
        Map<ObjectKey, IngressState> ingresses = new TreeMap<>();
        for (Observed o : objects) {
            if (o.state() instanceof IngressState s) {
                ingresses.put(o.key(), s);
            }
        }
        MigrationReport report = MigrationReport.of(ingresses, unreadable);
        unreadable.forEach(u -> err.println("signalbox: " + u + " (its objects are not in the report)"));
        err.flush();
        if (output.json()) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            print(out, report);
        }
        out.flush();
        return report.differs() ? 1 : 0;
    }

    private static void print(PrintWriter out, MigrationReport report) {
        TextTable each = new TextTable("INGRESS", "ANNOTATION", "VERDICT", "WHAT DIFFERS / WHAT TO USE INSTEAD");
        for (IngressReport i : report.ingresses()) {
            for (AnnotationRow a : i.annotations()) {
                each.row(i.namespace() + "/" + i.name(), a.annotation(), verdict(a.support()), a.note().isEmpty() ? "" : a.note());
            }
        }
        each.print(out);
        out.println();
        MigrationReport.Summary s = report.summary();
        out.println(s.ingresses() + " Ingress" + (s.ingresses() == 1 ? "" : "es") + ", " + s.behaveDifferently()
                + " would behave differently; annotation uses: " + s.annotations().entrySet().stream()
                .map(e -> e.getValue() + " " + verdict(e.getKey())).collect(Collectors.joining(", ")));
        if (!s.byAnnotation().isEmpty()) {
            out.println();
            TextTable counts = new TextTable("INGRESSES", "ANNOTATION", "VERDICT");
            for (AnnotationCount c : s.byAnnotation()) {
                counts.row(c.ingresses(), c.annotation(), verdict(c.support()));
            }
            counts.print(out);
        }
    }

    private static String verdict(dev.signalbox.compiler.compile.Annotations.Support s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
