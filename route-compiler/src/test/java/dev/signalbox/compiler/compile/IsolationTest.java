package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The compiler here is RouteCompiler with a planted bug: it throws whenever a "bomb" Ingress is in the model. */
class IsolationTest {
    private static final ClusterEvent[] BASE = {ourClass(false), service("ns", "web", port("http", 80, "8080")),
            slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.1"))};

    private static Function<ClusterModel, RoutingTable> bugWhenPresent(String... bombs) {
        return m -> {
            for (String b : bombs) {
                if (m.get(new ObjectKey(C, Kind.INGRESS, "ns", b)) != null) {
                    throw new IllegalStateException("planted bug");
                }
            }
            return RouteCompiler.compile(m);
        };
    }

    private static ClusterModel model(ClusterEvent... more) {
        ClusterModel m = new ClusterModel();
        List.of(BASE).forEach(m::apply);
        List.of(more).forEach(m::apply);
        return m;
    }

    private static ClusterEvent ing(String name, String host) {
        return ingress("ns", name, 1, rule(host, path("/", "Prefix", svc("web", 80))));
    }

    private static List<String> outcome(RoutingTable t) {
        return List.of(t.virtualHosts().stream().map(v -> v.host()).toList().toString(),
                t.diagnostics().stream().map(Diagnostic::name).toList().toString());
    }

    @Test
    void aModelThatCompilesIsCompiledAsIs() {
        ClusterModel m = model(ing("a", "a.com"), ing("b", "b.com"));
        assertEquals(RouteCompiler.compile(m), Isolation.compile(m, bugWhenPresent("bomb")));
    }

    @Test
    void anIngressThatBreaksTheCompilerIsLeftOutWithADiagnosticAndTheOthersAreRouted() {
        RoutingTable t = Isolation.compile(model(ing("a", "a.com"), ing("bomb", "bomb.com"), ing("b", "b.com")),
                bugWhenPresent("bomb"));
        assertEquals(List.of("[a.com, b.com]", "[bomb]"), outcome(t));
    }

    @Test
    void theDiagnosticNamesTheFailureByClassOnly() {
        RoutingTable t = Isolation.compile(model(ing("bomb", "bomb.com")), bugWhenPresent("bomb"));
        assertEquals("compiling this Ingress failed (IllegalStateException, a Signalbox bug: please report it); not routed",
                t.diagnostics().get(0).message());
    }

    @Test
    void twoBreakingIngressesAreBothLeftOut() {
        RoutingTable t = Isolation.compile(model(ing("bomb", "x.com"), ing("a", "a.com"), ing("bomb2", "y.com")),
                bugWhenPresent("bomb", "bomb2"));
        assertEquals(List.of("[a.com]", "[bomb, bomb2]"), outcome(t));
    }

    @Test
    void theSameModelGivesTheSameTableEveryTime() {
        ClusterModel m = model(ing("a", "a.com"), ing("bomb", "bomb.com"));
        assertEquals(Isolation.compile(m, bugWhenPresent("bomb")), Isolation.compile(m, bugWhenPresent("bomb")));
    }

    @Test
    void aFailureThatIsNotOneIngresssIsRethrown() {
        Function<ClusterModel, RoutingTable> alwaysBroken = m -> {
            throw new IllegalStateException("broken everywhere");
        };
        assertThrows(IllegalStateException.class, () -> Isolation.compile(model(ing("a", "a.com")), alwaysBroken));
    }
}
