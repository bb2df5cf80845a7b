package dev.signalbox.compiler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmarks' synthetic cluster compiles to the size it claims, with no diagnostic, and its change is one endpoint. */
class SyntheticClusterTest {
    @Test
    void compilesToIngressesTimesPathsAndEndpoints() {
        RoutingTable t = Isolation.compile(SyntheticCluster.model(3, 4, 5));
        assertEquals(List.of("app-0.test", "app-1.test", "app-2.test"), t.virtualHosts().stream().map(VirtualHost::host).sorted().toList());
        assertEquals(15, t.virtualHosts().stream().mapToInt(h -> h.routes().size()).sum());
        assertEquals(12, t.backends().stream().mapToInt(b -> b.endpoints().size()).sum());
        assertEquals(List.of(), t.diagnostics());
    }

    @Test
    void oneUnreadyEndpointTakesOneEndpointOut() {
        ClusterModel m = SyntheticCluster.model(3, 4, 1);
        m.apply(SyntheticCluster.app("c0", 0, 1, 4, 1, 1).get(2));
        RoutingTable t = Isolation.compile(m);
        assertEquals(List.of(4, 3, 4), t.backends().stream().sorted(java.util.Comparator.comparing(Backend::service))
                .map(b -> b.endpoints().size()).toList());
    }
}
