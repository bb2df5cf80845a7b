package dev.signalbox.watcher.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.Diagnostic.Severity;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DiagnosticReportsTest {
    static final Diagnostic MISSING = new Diagnostic("c1", "Ingress", "shop", "web", Severity.ERROR, "service shop/api does not exist");
    static final Diagnostic CONFLICT = new Diagnostic("c1", "Ingress", "shop", "web", Severity.WARNING, "path / is already routed");
    static final Diagnostic DEFAULTS = new Diagnostic("c1", "IngressClass", "", "signalbox", Severity.WARNING, "more than one default");
    static final Diagnostic ELSEWHERE = new Diagnostic("c2", "Ingress", "shop", "web", Severity.ERROR, "service shop/api does not exist");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("the first snapshot of a term reports everything of this cluster, marked as a term start",
                        null, List.of(MISSING, DEFAULTS, ELSEWHERE),
                        List.of(new DiagnosticReports.Report(MISSING, true), new DiagnosticReports.Report(DEFAULTS, true))),
                Arguments.of("a diagnostic still present gets nothing", Set.of(MISSING), List.of(MISSING), List.of()),
                Arguments.of("a new diagnostic on the same object is reported", Set.of(MISSING), List.of(MISSING, CONFLICT),
                        List.of(new DiagnosticReports.Report(CONFLICT, false))),
                Arguments.of("a fixed diagnostic gets nothing", Set.of(MISSING), List.of(), List.of()),
                Arguments.of("a diagnostic that disappeared and reappears is reported again", Set.of(), List.of(MISSING),
                        List.of(new DiagnosticReports.Report(MISSING, false))),
                Arguments.of("another cluster's diagnostics are not ours", Set.of(), List.of(ELSEWHERE), List.of()),
                Arguments.of("a new message for the same object is a new diagnostic", Set.of(MISSING),
                        List.of(new Diagnostic("c1", "Ingress", "shop", "web", Severity.ERROR, "service shop/other does not exist")),
                        List.of(new DiagnosticReports.Report(
                                new Diagnostic("c1", "Ingress", "shop", "web", Severity.ERROR, "service shop/other does not exist"), false))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reports(String name, Set<Diagnostic> previous, List<Diagnostic> current, List<DiagnosticReports.Report> expected) {
        assertEquals(expected, DiagnosticReports.reports("c1", previous, current));
    }

    @Test
    void eventNamesAreStablePerDiagnosticAndObjectAndDifferOtherwise() {
        assertEquals(DiagnosticReports.eventName(MISSING, "u1"), DiagnosticReports.eventName(MISSING, "u1"));
        assertTrue(DiagnosticReports.eventName(MISSING, "u1").matches("web\\.[0-9a-f]{16}"));
        assertNotEquals(DiagnosticReports.eventName(MISSING, "u1"), DiagnosticReports.eventName(MISSING, "u2"),
                "a recreated object gets its own Event");
        assertNotEquals(DiagnosticReports.eventName(MISSING, "u1"), DiagnosticReports.eventName(CONFLICT, "u1"));
        assertTrue(DiagnosticReports.eventName(new Diagnostic("c1", "Ingress", "ns", "x".repeat(253), Severity.ERROR, "m"), null)
                .length() <= 253);
    }

    static Stream<Arguments> subjects() {
        return Stream.of(
                Arguments.of("an Ingress's Event is on the Ingress", MISSING,
                        new DiagnosticReports.Subject("networking.k8s.io/v1", "Ingress", "shop", "web")),
                Arguments.of("a cluster-scoped IngressClass's Event has no namespace", DEFAULTS,
                        new DiagnosticReports.Subject("networking.k8s.io/v1", "IngressClass", "", "signalbox")),
                Arguments.of("a Service is core v1", new Diagnostic("c1", "Service", "shop", "api", Severity.WARNING, "m"),
                        new DiagnosticReports.Subject("v1", "Service", "shop", "api")),
                Arguments.of("a Secret is core v1", new Diagnostic("c1", "Secret", "shop", "tls", Severity.ERROR, "m"),
                        new DiagnosticReports.Subject("v1", "Secret", "shop", "tls")),
                Arguments.of("an EndpointSlice is discovery v1", new Diagnostic("c1", "EndpointSlice", "shop", "api-x", Severity.WARNING, "m"),
                        new DiagnosticReports.Subject("discovery.k8s.io/v1", "EndpointSlice", "shop", "api-x")),
                Arguments.of("a ServiceExport is multicluster.x-k8s.io v1alpha1 (KEP-1645)",
                        new Diagnostic("c2", "ServiceExport", "shop", "api", Severity.WARNING, "m"),
                        new DiagnosticReports.Subject("multicluster.x-k8s.io/v1alpha1", "ServiceExport", "shop", "api")),
                Arguments.of("a cluster whose initial list is missing is reported on its watchers' Lease, not on an object named"
                        + " like the cluster", new Diagnostic("c1", Diagnostic.CLUSTER_KIND, "", "c1", Severity.WARNING, "m"),
                        new DiagnosticReports.Subject("coordination.k8s.io/v1", "Lease", "leases", "signalbox-watcher-c1")),
                Arguments.of("a kind Kubernetes has no object for gets no Event",
                        new Diagnostic("c1", "Gateway", "shop", "gw", Severity.WARNING, "m"), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void anEventIsRecordedOnTheObjectTheDiagnosticIsAbout(String name, Diagnostic d, DiagnosticReports.Subject expected) {
        assertEquals(java.util.Optional.ofNullable(expected), DiagnosticReports.subject(d, "leases", "signalbox-watcher-c1"));
    }
}
