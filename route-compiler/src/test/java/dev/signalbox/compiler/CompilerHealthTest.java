package dev.signalbox.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.observability.Exposition;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.testing.PrometheusText;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The compiler's /readyz (its state in, the JSON answer out) and what its metrics say of a compiled table. */
class CompilerHealthTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a standby still rebuilding its model: not ready", false, false, false, false,
                        "{\"active\":false,\"id\":\"c-1\",\"publishedVersion\":0,\"ready\":false,\"status\":\"warming-up\",\"term\":0}"),
                Arguments.of("a standby whose model follows the events (warm): ready, it is there to take over", false, false,
                        true, false,
                        "{\"active\":false,\"id\":\"c-1\",\"publishedVersion\":0,\"ready\":true,\"status\":\"standby\",\"term\":0}"),
                Arguments.of("active, its model still catching up with the log: not ready", false, true, false, false,
                        "{\"active\":true,\"id\":\"c-1\",\"publishedVersion\":0,\"ready\":false,\"status\":\"catching-up\",\"term\":4}"),
                Arguments.of("active, model current and publishing: ready", false, true, false, true,
                        "{\"active\":true,\"id\":\"c-1\",\"publishedVersion\":0,\"ready\":true,\"status\":\"active\",\"term\":4}"),
                Arguments.of("stopped for good (not authorised): not ready, even if it was publishing", true, true, false, true,
                        "{\"active\":true,\"id\":\"c-1\",\"publishedVersion\":0,\"ready\":false,\"status\":\"stopped\",\"term\":4}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readiness(String name, boolean stopped, boolean active, boolean warm, boolean publishing, String json) {
        assertEquals(json, Compiler.health("c-1", stopped, active, warm, publishing, active ? 4 : 0, 0).json());
    }

    @Test
    void aCompiledTableSetsTheDiagnosticsBySeverityAndTheCompileTime() {
        CompilerMetrics m = new CompilerMetrics();
        Diagnostic error = new Diagnostic("c", "Ingress", "ns", "a", Diagnostic.Severity.ERROR, "bad");
        Diagnostic warning = new Diagnostic("c", "Ingress", "ns", "b", Diagnostic.Severity.WARNING, "odd");
        m.compiled(3_000_000, new RoutingTable(List.of(), null, List.of(), List.of(), List.of(), List.of(error, error, warning)), true);
        m.snapshotWritten(1234, 2);
        m.published(9);
        PrometheusText.Exposition e = PrometheusText.parse(Exposition.text(m.registry()));
        assertEquals(List.of(2.0, 1.0, 1.0, 1.0, 1234.0, 2.0, 9.0, 0.0, 0.0),
                List.of(e.value("signalbox_compiler_diagnostics", "severity", "error"),
                        e.value("signalbox_compiler_diagnostics", "severity", "warning"),
                        e.value("signalbox_compiler_compile_duration_seconds_count"),
                        e.value("signalbox_compiler_compile_duration_seconds_bucket", "le", "0.005"),
                        e.value("signalbox_compiler_snapshot_bytes"), e.value("signalbox_compiler_snapshot_chunks"),
                        e.value("signalbox_compiler_snapshot_version"),
                        e.value("signalbox_compiler_transaction_aborts_total", "reason", "fenced"),
                        e.value("signalbox_compiler_compile_duration_seconds_bucket", "le", "0.0025")));
    }
}
