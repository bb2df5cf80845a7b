package dev.signalbox.compiler.compile;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Diagnostic.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the diagnostics of one compilation; returns them sorted and without repeats. */
final class Diagnostics {
    private static final Comparator<Diagnostic> ORDER = Comparator.comparing(Diagnostic::cluster)
            .thenComparing(Diagnostic::kind)
            .thenComparing(Diagnostic::namespace)
            .thenComparing(Diagnostic::name)
            .thenComparing(Diagnostic::severity)
            .thenComparing(Diagnostic::message);

    private final List<Diagnostic> items = new ArrayList<>();

    void error(ObjectKey about, String message) {
        add(about, Severity.ERROR, message);
    }

    void warning(ObjectKey about, String message) {
        add(about, Severity.WARNING, message);
    }

    void add(Diagnostic d) {
        items.add(d);
    }

    private void add(ObjectKey about, Severity severity, String message) {
        items.add(new Diagnostic(about.clusterId(), about.kind().apiName(), about.namespace(), about.name(), severity,
                message));
    }

    List<Diagnostic> sorted() {
        return items.stream().distinct().sorted(ORDER).toList();
    }
}
