package dev.signalbox.launcher.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Diagnostic.Severity;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DiagnosticsPrinterTest {
    private static final Diagnostic A = new Diagnostic("local", "Ingress", "demo", "a", Severity.ERROR, "service demo/x does not exist");
    private static final Diagnostic B = new Diagnostic("local", "Ingress", "demo", "b", Severity.WARNING, "path ignored");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a diagnostic that stays is not printed again", List.of(A), List.of(A),
                        new DiagnosticsPrinter.Change(List.of(), List.of())),
                Arguments.of("a new diagnostic is printed once", List.of(A), List.of(A, B),
                        new DiagnosticsPrinter.Change(List.of(B), List.of())),
                Arguments.of("a diagnostic that disappears is reported resolved", List.of(A, B), List.of(B),
                        new DiagnosticsPrinter.Change(List.of(), List.of(A))),
                Arguments.of("the first snapshot reports everything it carries", List.of(), List.of(A, B),
                        new DiagnosticsPrinter.Change(List.of(A, B), List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsOnlyChanges(String name, List<Diagnostic> before, List<Diagnostic> after, DiagnosticsPrinter.Change expected) {
        assertEquals(expected, DiagnosticsPrinter.diff(before, after));
    }

    @Test
    void aLineNamesTheObjectTheVersionAndTheProblem() {
        assertEquals("signalbox: problem (version 7) ERROR Ingress demo/a [cluster local]: service demo/x does not exist",
                DiagnosticsPrinter.format("problem", 7, A));
    }

    @Test
    void aClusterWhoseInitialListIsMissingIsNamedAsAClusterNotAsAnObject() {
        Diagnostic d = new Diagnostic("edge", Diagnostic.CLUSTER_KIND, "", "edge", Severity.WARNING,
                "the watcher of cluster edge has not recorded the end of its initial list");
        assertEquals("signalbox: problem (version 3) WARNING cluster edge: the watcher of cluster edge has not recorded the end"
                + " of its initial list", DiagnosticsPrinter.format("problem", 3, d));
        assertEquals(new DiagnosticsPrinter.Change(List.of(), List.of(d)), DiagnosticsPrinter.diff(List.of(d, A), List.of(A)),
                "once the cluster syncs, its diagnostic is reported resolved");
    }
}
