package dev.signalbox.watcher.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusPlanTest {
    static final IngressRef WEB = new IngressRef("shop", "web");
    static final IngressRef API = new IngressRef("shop", "api");
    static final LbAddress IP = new LbAddress("203.0.113.7", null);
    static final LbAddress IP2 = new LbAddress("203.0.113.8", null);
    static final LbAddress HOST = new LbAddress(null, "lb.example.com");
    static final LbAddress OTHER = new LbAddress("198.51.100.1", null);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a listed Ingress without status gets the addresses",
                        List.of("c1/shop/web"), List.of(IP), Map.of(WEB, List.of()), Set.of(),
                        List.of(new StatusPlan.Write(WEB, List.of(IP)))),
                Arguments.of("a listed Ingress that already has the addresses is not written",
                        List.of("c1/shop/web"), List.of(IP, HOST), Map.of(WEB, List.of(HOST, IP)), Set.of(), List.of()),
                Arguments.of("repeated addresses count once",
                        List.of("c1/shop/web"), List.of(IP, IP), Map.of(WEB, List.of(IP)), Set.of(), List.of()),
                Arguments.of("a listed Ingress with another controller's address is overwritten",
                        List.of("c1/shop/web"), List.of(IP), Map.of(WEB, List.of(OTHER)), Set.of(),
                        List.of(new StatusPlan.Write(WEB, List.of(IP)))),
                Arguments.of("a new load-balancer address replaces the old one",
                        List.of("c1/shop/web"), List.of(IP2), Map.of(WEB, List.of(IP)), Set.of(WEB),
                        List.of(new StatusPlan.Write(WEB, List.of(IP2)))),
                Arguments.of("an Ingress of another cluster with the same name is not ours",
                        List.of("c2/shop/web"), List.of(IP), Map.of(WEB, List.of()), Set.of(), List.of()),
                Arguments.of("an unlisted Ingress carrying our address is cleared",
                        List.of("c1/shop/api"), List.of(IP), Map.of(WEB, List.of(IP), API, List.of(IP)), Set.of(),
                        List.of(new StatusPlan.Write(WEB, List.of()))),
                Arguments.of("an unlisted Ingress this leader set before the address changed is cleared",
                        List.of(), List.of(IP2), Map.of(WEB, List.of(IP)), Set.of(WEB),
                        List.of(new StatusPlan.Write(WEB, List.of()))),
                Arguments.of("an unlisted Ingress with another controller's address is left alone",
                        List.of(), List.of(IP), Map.of(WEB, List.of(OTHER)), Set.of(), List.of()),
                Arguments.of("an unlisted Ingress without status is not written",
                        List.of(), List.of(IP), Map.of(WEB, List.of()), Set.of(WEB), List.of()),
                Arguments.of("a listed Ingress not in the cache yet waits for the informer",
                        List.of("c1/shop/web", "c1/shop/api"), List.of(IP), Map.of(WEB, List.of(IP)), Set.of(), List.of()),
                Arguments.of("a Service without a load-balancer address yet clears ours on listed Ingresses",
                        List.of("c1/shop/web"), List.of(), Map.of(WEB, List.of(IP)), Set.of(WEB),
                        List.of(new StatusPlan.Write(WEB, List.of()))),
                Arguments.of("writes are sorted by namespace and name, addresses ip first",
                        List.of("c1/shop/web", "c1/shop/api"), List.of(HOST, IP), Map.of(WEB, List.of(), API, List.of()), Set.of(),
                        List.of(new StatusPlan.Write(API, List.of(IP, HOST)), new StatusPlan.Write(WEB, List.of(IP, HOST)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void writes(String name, List<String> listed, List<LbAddress> addresses, Map<IngressRef, List<LbAddress>> current,
                Set<IngressRef> written, List<StatusPlan.Write> expected) {
        assertEquals(expected, StatusPlan.writes("c1", listed, addresses, current, written));
    }

    static Stream<Arguments> addressCases() {
        return Stream.of(
                Arguments.of("an IPv4 literal is an ip", "10.0.0.1", new LbAddress("10.0.0.1", null)),
                Arguments.of("an IPv6 literal is an ip", "2001:db8::1", new LbAddress("2001:db8::1", null)),
                Arguments.of("a name is a hostname", "lb.example.com", new LbAddress(null, "lb.example.com")),
                Arguments.of("a name that starts with digits is a hostname", "10.0.0.1.nip.io", new LbAddress(null, "10.0.0.1.nip.io")),
                Arguments.of("an out-of-range quad is a hostname", "300.1.1.1", new LbAddress(null, "300.1.1.1")),
                Arguments.of("blanks are trimmed", " 10.0.0.2 ", new LbAddress("10.0.0.2", null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("addressCases")
    void parse(String name, String text, LbAddress expected) {
        assertEquals(expected, LbAddress.parse(text));
    }
}
