package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static dev.signalbox.schemas.snapshot.PathMatch.REGEX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ingress-nginx's "Limits and timeouts" annotations (issue 18): objects in, the whole table out, one row a case, as
 * RouteCompilerTest. Values and their units, defaults (nothing set: no limits in the snapshot, the node decides),
 * malformed values (an error on that Ingress only, which is not routed), and our prefix winning.
 */
class LimitAnnotationsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String S = "signalbox.dev/";
    /** One Ingress ns/a with these annotations and one path, / on foo.com. */
    private static List<ClusterEvent> a(Map<String, String> annotations) {
        return withWeb(annotated("ns", "a", 1, annotations, rule("foo.com", path("/", "Prefix", svc("web", 80)))),
                ingress("ns", "b", 2, rule("bar.com", path("/", "Prefix", svc("web", 80)))));
    }

    private static final VirtualHost BAR = new VirtualHost("bar.com", List.of(new Route("/", PREFIX, WEB, C + "/ns/b")));

    /** Both Ingresses routed, foo.com's route with {@code limits}. */
    private static RoutingTable routed(ProxyLimits limits) {
        return new RoutingTable(List.of(BAR, new VirtualHost("foo.com", List.of(new Route("/", PREFIX, WEB, C + "/ns/a",
                false, limits == null ? null : new RouteOptions(null, null, null, null, limits, null, null, null, null))))), null, List.of(WEB80),
                List.of(), List.of(C + "/ns/a", C + "/ns/b"), List.of());
    }

    /** Ingress ns/a not routed, with this error; ns/b routed as ever. */
    private static RoutingTable refused(String annotation, String value, String expected) {
        return new RoutingTable(List.of(BAR), null, List.of(WEB80), List.of(), List.of(C + "/ns/a", C + "/ns/b"),
                List.of(error("ns", "a", "annotation " + annotation + ": \"" + value + "\" is not " + expected
                        + "; the Ingress is not routed until it is corrected")));
    }

    private static ProxyLimits body(long bytes) {
        return new ProxyLimits(bytes, null, null, null, null, null, null);
    }

    private static ProxyLimits rate(int rps, int rpm, int connections, int multiplier, String... whitelist) {
        return new ProxyLimits(null, null, null, null, null, null, null,
                new ProxyLimits.RateLimit(C + "/ns/a", rps, rpm, connections, multiplier, List.of(whitelist)));
    }

    private static ProxyLimits nextUpstream(List<String> when, Integer tries, Integer timeout) {
        return new ProxyLimits(null, null, null, null, when, tries, timeout);
    }

    private static final String SIZE = "a size (bytes, or a number with k, m or g, e.g. 8m; 0 for no limit)";
    private static final String SECONDS = "a whole number of seconds, at least 1";
    private static final String TOKENS = "a list of error, timeout, invalid_header, http_500, http_502, http_503, "
            + "http_504, http_403, http_404, http_429, non_idempotent or off";

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("without annotations a route carries no limits: the node's defaults apply (1m, 60 s, error timeout)",
                        a(Map.of()), routed(null)),
                row("proxy-body-size in megabytes", a(Map.of(N + "proxy-body-size", "8m")), routed(body(8L << 20))),
                row("proxy-body-size in kilobytes, upper case", a(Map.of(N + "proxy-body-size", "512K")), routed(body(512L << 10))),
                row("proxy-body-size in gigabytes", a(Map.of(N + "proxy-body-size", "1g")), routed(body(1L << 30))),
                row("proxy-body-size in plain bytes", a(Map.of(N + "proxy-body-size", "1000")), routed(body(1000))),
                row("proxy-body-size 0 is no limit", a(Map.of(N + "proxy-body-size", "0")), routed(body(0))),
                row("proxy-body-size with spaces around it is read trimmed", a(Map.of(N + "proxy-body-size", " 2m ")),
                        routed(body(2L << 20))),
                row("an empty proxy-body-size is absent, as ingress-nginx reads it", a(Map.of(N + "proxy-body-size", "")),
                        routed(null)),
                row("the timeouts are whole seconds",
                        a(Map.of(N + "proxy-connect-timeout", "2", N + "proxy-read-timeout", "3600",
                                N + "proxy-send-timeout", "30")),
                        routed(new ProxyLimits(null, 2, 3600, 30, null, null, null))),
                row("proxy-next-upstream's tokens are kept sorted, without repeats",
                        a(Map.of(N + "proxy-next-upstream", "http_503 error  http_502 error timeout",
                                N + "proxy-next-upstream-tries", "2", N + "proxy-next-upstream-timeout", "10")),
                        routed(nextUpstream(List.of("error", "http_502", "http_503", "timeout"), 2, 10))),
                row("proxy-next-upstream off is no retries at all", a(Map.of(N + "proxy-next-upstream", "off")),
                        routed(nextUpstream(List.of(), null, null))),
                row("off wins over the tokens beside it, as in nginx", a(Map.of(N + "proxy-next-upstream", "error off")),
                        routed(nextUpstream(List.of(), null, null))),
                row("non_idempotent is kept", a(Map.of(N + "proxy-next-upstream", "error non_idempotent http_500")),
                        routed(nextUpstream(List.of("error", "http_500", "non_idempotent"), null, null))),
                row("tries 0 and timeout 0 mean no limit", a(Map.of(N + "proxy-next-upstream-tries", "0",
                                N + "proxy-next-upstream-timeout", "0")),
                        routed(nextUpstream(null, 0, 0))),
                row("client-body-buffer-size is accepted and changes nothing",
                        a(Map.of(N + "client-body-buffer-size", "16k")), routed(null)),
                row("limit-rps makes a zone of the Ingress with ingress-nginx's burst multiplier, 5",
                        a(Map.of(N + "limit-rps", "10")), routed(rate(10, 0, 0, 5))),
                row("limit-rpm, limit-connections and limit-burst-multiplier together",
                        a(Map.of(N + "limit-rpm", "600", N + "limit-connections", "4", N + "limit-burst-multiplier", "2")),
                        routed(rate(0, 600, 4, 2))),
                row("limit-whitelist's addresses and blocks are normalised and sorted",
                        a(Map.of(N + "limit-rps", "10", N + "limit-whitelist", "192.0.2.7, 10.1.2.3/8,2001:DB8::/32")),
                        routed(rate(10, 0, 0, 5, "10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"))),
                row("limit-allowlist, its newer name, wins over limit-whitelist",
                        a(Map.of(N + "limit-rps", "10", N + "limit-whitelist", "10.0.0.0/8", N + "limit-allowlist",
                                "192.0.2.0/24")),
                        routed(rate(10, 0, 0, 5, "192.0.2.0/24"))),
                row("limit-rps 0 and a multiplier alone limit nothing, as ingress-nginx writes no zone then",
                        a(Map.of(N + "limit-rps", "0", N + "limit-burst-multiplier", "3")), routed(null)),
                row("Signalbox's prefix wins over ingress-nginx's",
                        a(Map.of(N + "proxy-body-size", "1m", S + "proxy-body-size", "0")), routed(body(0))),
                row("the limits go to every path of the Ingress, regex ones too",
                        withWeb(annotated("ns", "a", 1, Map.of(N + "proxy-read-timeout", "5", N + "use-regex", "true"),
                                rule("foo.com", path("/x/[0-9]+", "ImplementationSpecific", svc("web", 80)),
                                        path("/", "Prefix", svc("web", 80))))),
                        new RoutingTable(List.of(new VirtualHost("foo.com", List.of(
                                limited("/x/[0-9]+", REGEX), limited("/", REGEX)))), null, List.of(WEB80), List.of(),
                                List.of(C + "/ns/a"), List.of())),

                row("proxy-body-size: ten is an error on that Ingress only",
                        a(Map.of(N + "proxy-body-size", "ten")), refused(N + "proxy-body-size", "ten", SIZE)),
                row("a size with two units is an error", a(Map.of(N + "proxy-body-size", "8mb")),
                        refused(N + "proxy-body-size", "8mb", SIZE)),
                row("a negative size is an error", a(Map.of(N + "proxy-body-size", "-1")),
                        refused(N + "proxy-body-size", "-1", SIZE)),
                row("a size beyond a long is an error, not an overflow", a(Map.of(N + "proxy-body-size", "9999999999999999999g")),
                        refused(N + "proxy-body-size", "9999999999999999999g", SIZE)),
                row("a malformed client-body-buffer-size is an error too", a(Map.of(N + "client-body-buffer-size", "lots")),
                        refused(N + "client-body-buffer-size", "lots", SIZE)),
                row("a timeout with a unit is an error (ingress-nginx takes whole seconds)",
                        a(Map.of(N + "proxy-read-timeout", "60s")), refused(N + "proxy-read-timeout", "60s", SECONDS)),
                row("a zero timeout is an error", a(Map.of(N + "proxy-connect-timeout", "0")),
                        refused(N + "proxy-connect-timeout", "0", SECONDS)),
                row("a timeout too large for an int is an error", a(Map.of(N + "proxy-send-timeout", "99999999999")),
                        refused(N + "proxy-send-timeout", "99999999999", SECONDS)),
                row("an unknown proxy-next-upstream token is an error",
                        a(Map.of(N + "proxy-next-upstream", "error http_418")),
                        refused(N + "proxy-next-upstream", "error http_418", TOKENS)),
                row("non-numeric tries are an error", a(Map.of(S + "proxy-next-upstream-tries", "three")),
                        refused(S + "proxy-next-upstream-tries", "three", "a whole number (0 for no limit)")),
                row("a rate that is not a whole number is an error", a(Map.of(N + "limit-rps", "2.5")),
                        refused(N + "limit-rps", "2.5", "a whole number (0 for no limit)")),
                row("a whitelist entry that is not an address is an error (no DNS names)",
                        a(Map.of(N + "limit-rps", "5", N + "limit-whitelist", "10.0.0.0/8,lb.example")),
                        refused(N + "limit-whitelist", "10.0.0.0/8,lb.example", "a comma-separated list of IP addresses "
                                + "and CIDR blocks (\"lb.example\" is not an IP address or CIDR block)")),
                row("a burst multiplier of 0 is an error", a(Map.of(N + "limit-rps", "5", N + "limit-burst-multiplier", "0")),
                        refused(N + "limit-burst-multiplier", "0", "a whole number, at least 1")));
    }

    private static Route limited(String path, PathMatch match) {
        return new Route(path, match, WEB, C + "/ns/a", false,
                new RouteOptions(null, null, null, null, new ProxyLimits(null, null, 5, null, null, null, null), null, null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
