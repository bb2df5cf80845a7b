package dev.signalbox.schemas.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.Samples;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private static final Backend A = Samples.backend("echo-a", "http", new Endpoint("10.0.0.7", 8080));
    private static final Backend B = Samples.backend("echo-b", "80");

    private record Case(String name, Supplier<RoutingTable> build, String expected) {
    }

    @Test
    void aTableIsCheckedWhenBuilt() {
        List<Case> cases = List.of(
                new Case("a consistent table is accepted",
                        () -> table(List.of(host("a.example.com", A)), A.id(), List.of(A, B), List.of()),
                        "accepted"),
                new Case("a route to a missing backend is rejected",
                        () -> table(List.of(host("a.example.com", B)), null, List.of(A), List.of()),
                        "inconsistent routing table: route a.example.com/ names missing backend " + B.id()),
                new Case("a default backend that is missing is rejected",
                        () -> table(List.of(), B.id(), List.of(A), List.of()),
                        "inconsistent routing table: default backend " + B.id() + " is missing"),
                new Case("a host that appears twice is rejected",
                        () -> table(List.of(host("a.example.com", A), host("a.example.com", A)), null, List.of(A),
                                List.of()),
                        "inconsistent routing table: host a.example.com appears twice"),
                new Case("a backend that appears twice is rejected",
                        () -> table(List.of(), null, List.of(A, A), List.of()),
                        "inconsistent routing table: backend " + A.id() + " appears twice"),
                new Case("a TLS binding without a certificate is rejected",
                        () -> table(List.of(), null, List.of(),
                                List.of(new TlsBinding("a.example.com", "east/demo/a-tls", null, Samples.KEY))),
                        "inconsistent routing table: TLS host a.example.com has no certificate"),
                new Case("a TLS binding with a blank certificate is rejected",
                        () -> table(List.of(), null, List.of(),
                                List.of(new TlsBinding("a.example.com", "east/demo/a-tls", " \n", Samples.KEY))),
                        "inconsistent routing table: TLS host a.example.com has no certificate"));
        for (Case c : cases) {
            String outcome;
            try {
                c.build().get();
                outcome = "accepted";
            } catch (IllegalArgumentException e) {
                outcome = e.getMessage();
            }
            assertEquals(c.expected(), outcome, c.name());
        }
    }

    private static VirtualHost host(String name, Backend backend) {
        return new VirtualHost(name, List.of(new Route("/", PathMatch.PREFIX, backend.id(), "east/demo/x")));
    }

    private static RoutingTable table(List<VirtualHost> hosts, String defaultBackend, List<Backend> backends,
                                      List<TlsBinding> tls) {
        return new RoutingTable(hosts, defaultBackend, backends, tls, List.of());
    }
}
