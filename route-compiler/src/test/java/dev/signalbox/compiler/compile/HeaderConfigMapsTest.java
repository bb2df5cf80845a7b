package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ConfigMapState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.HeaderOptions.Field;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Header fields from ConfigMaps (issue 18): ingress-nginx's {@code custom-headers} (response fields) and Signalbox's
 * {@code signalbox.dev/proxy-set-headers} (request fields, ingress-nginx's controller-wide {@code proxy-set-headers}
 * per Ingress). Objects in, the whole table out, one row a case: values, defaults, malformed values and hostile fields
 * (an error, and the Ingress's paths answer 503 as ingress-nginx's denied location), missing ConfigMaps. The Ingress
 * beside the one under test is always routed unchanged.
 */
class HeaderConfigMapsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String S = "signalbox.dev/";
    private static final String CH = N + "custom-headers";
    private static final String PSH = S + "proxy-set-headers";
    private static final Backend WEB80 = backend("ns", "web", "80", ep("10.0.0.1", 8080));
    private static final String WEB = id("ns", "web", "80");
    private static final String DENIED = "; every path of the Ingress answers 503 until it is corrected";

    private static ClusterEvent ing(String name, int created, Map<String, String> annotations) {
        return annotated("ns", name, created, annotations, rule(name + ".com", path("/", "Prefix", svc("web", 80))));
    }

    private static ClusterEvent configMap(String ns, String name, Map<String, String> data) {
        return upsert(Kind.CONFIG_MAP, ns, name, new ConfigMapState(data, null));
    }

    /** A good Ingress "b" beside the one under test, to show that a bad one stays local. */
    private static final ClusterEvent GOOD = ing("b", 9, Map.of());

    private static List<ClusterEvent> with(ClusterEvent... objects) {
        return Stream.concat(Stream.of(ourClass(false), service("ns", "web", port("http", 80, "8080")),
                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.1")), GOOD), Stream.of(objects)).toList();
    }

    private static VirtualHost host(String name, RouteOptions options) {
        return new VirtualHost(name + ".com", List.of(new Route("/", PREFIX, WEB, C + "/ns/" + name, false, options)));
    }

    private static RouteOptions headers(List<Field> response, List<Field> request) {
        return new RouteOptions(null, null, null, null, null, null, null, new HeaderOptions(null, response, request), null);
    }

    private static RouteOptions denied(String why) {
        return new RouteOptions(null, null, null, null, null, null,
                new RouteAccess(List.of(), List.of(), null, null, why), null, null);
    }

    /** The table of Ingress "a" with {@code options} beside the plain "b". */
    private static RoutingTable table(RouteOptions options, Diagnostic... diagnostics) {
        return new RoutingTable(List.of(host("a", options), host("b", null)), null, List.of(WEB80), List.of(),
                List.of(C + "/ns/a", C + "/ns/b"), List.of(diagnostics));
    }

    /** Ingress "a"'s paths denied (503) for {@code why}, with the error saying so. */
    private static RoutingTable deniedTable(String why) {
        return table(denied(why), error("ns", "a", why + DENIED));
    }

    private static Field f(String name, String value) {
        return new Field(name, value);
    }

    private static Map<String, String> many(int n) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("X-Field-" + i, "v");
        }
        return m;
    }

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    static Stream<Arguments> cases() {
        String missing = "ConfigMap ns/custom (" + CH + ") does not exist";
        return Stream.of(
                row("no annotation: no fields (ingress-nginx's e2e: 200, nothing added)",
                        with(ing("a", 1, Map.of())), table(null)),

                row("custom-headers' fields are set on every answer, sorted by name, values as written ($ is not expanded)",
                        with(configMap("ns", "custom", Map.of("My-Custom-Header", "42", "My-Custom-Header-Dollar", "$remote_addr")),
                                ing("a", 1, Map.of(CH, "ns/custom"))),
                        table(headers(List.of(f("My-Custom-Header", "42"), f("My-Custom-Header-Dollar", "$remote_addr")), List.of()))),

                row("values lose their surrounding spaces and keep inner ones and printable punctuation",
                        with(configMap("ns", "custom", Map.of("Content-Security-Policy", "  default-src 'self'; img-src *  ")),
                                ing("a", 1, Map.of(CH, "ns/custom"))),
                        table(headers(List.of(f("Content-Security-Policy", "default-src 'self'; img-src *")), List.of()))),

                row("custom-headers under signalbox.dev/ wins over ingress-nginx's",
                        with(configMap("ns", "mine", Map.of("X-Mine", "1")), configMap("ns", "theirs", Map.of("X-Theirs", "1")),
                                ing("a", 1, Map.of(S + "custom-headers", "ns/mine", CH, "ns/theirs"))),
                        table(headers(List.of(f("X-Mine", "1")), List.of()))),

                row("signalbox.dev/response-headers wins a name the ConfigMap sets too; the ConfigMap's others come first",
                        with(configMap("ns", "custom", Map.of("X-Frame-Options", "DENY", "X-Team", "blue")),
                                ing("a", 1, Map.of(CH, "ns/custom", S + "response-headers", "x-frame-options: SAMEORIGIN"))),
                        table(headers(List.of(f("X-Team", "blue"), f("x-frame-options", "SAMEORIGIN")), List.of()))),

                row("an empty ConfigMap adds nothing",
                        with(configMap("ns", "custom", Map.of()), ing("a", 1, Map.of(CH, "ns/custom"))),
                        table(null)),

                row("a missing custom-headers ConfigMap denies the paths, as ingress-nginx's e2e (503)",
                        with(ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable(missing)),

                row("a bare ConfigMap name is not ingress-nginx's namespace/name (it finds nothing): denied",
                        with(configMap("ns", "custom", Map.of("X-A", "1")), ing("a", 1, Map.of(CH, "custom"))),
                        deniedTable("annotation " + CH + ": \"custom\" is not ns/name of a ConfigMap of the Ingress's "
                                        + "namespace (ConfigMaps of other namespaces are not read)")),

                row("a ConfigMap of another namespace is never read: denied",
                        with(configMap("other", "custom", Map.of("X-A", "1")), ing("a", 1, Map.of(CH, "other/custom"))),
                        deniedTable("annotation " + CH + ": \"other/custom\" is not ns/name of a ConfigMap of the "
                                        + "Ingress's namespace (ConfigMaps of other namespaces are not read)")),

                row("an identity field the proxy owns is refused: denied",
                        with(configMap("ns", "custom", Map.of("X-Forwarded-For", "1.2.3.4")), ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable("ConfigMap ns/custom (" + CH + ") sets X-Forwarded-For, which only the proxy writes "
                                        + "(framing, connection, Host and identity fields such as X-Forwarded-*, X-Real-IP and "
                                        + "ssl-client-*)")),

                row("X-Real-IP and ssl-client-* are refused too, in any case",
                        with(configMap("ns", "custom", Map.of("SSL-Client-Verify", "SUCCESS")), ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable("ConfigMap ns/custom (" + CH + ") sets SSL-Client-Verify, which only the proxy writes "
                                        + "(framing, connection, Host and identity fields such as X-Forwarded-*, X-Real-IP and "
                                        + "ssl-client-*)")),

                row("a value with CR LF (response splitting) is refused: denied",
                        with(configMap("ns", "custom", Map.of("X-A", "1\r\nSet-Cookie: x=1")), ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable("ConfigMap ns/custom (" + CH + ") has a value for X-A that is empty, longer than 4096 "
                                        + "characters or holds characters a header cannot carry (CR, LF, NUL, other controls, "
                                        + "non-ASCII): \"1\\x0D\\x0ASet-Cookie: x=1\"")),

                row("an empty value is refused, as ingress-nginx's value pattern refuses it: denied",
                        with(configMap("ns", "custom", Map.of("X-A", " ")), ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable("ConfigMap ns/custom (" + CH + ") has a value for X-A that is empty, longer than 4096 "
                                        + "characters or holds characters a header cannot carry (CR, LF, NUL, other controls, "
                                        + "non-ASCII): \"\"")),

                row("a name outside ingress-nginx's [A-Za-z0-9_-] is refused: denied",
                        with(configMap("ns", "custom", Map.of("X A:", "1")), ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable("ConfigMap ns/custom (" + CH + ") has a field name \"X A:\" that is not letters, "
                                        + "digits, '-' and '_' (at most 256)")),

                row("more than 64 fields is refused: denied",
                        with(configMap("ns", "custom", many(65)), ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable("ConfigMap ns/custom (" + CH + ") has 65 fields, more than 64")),

                row("a ConfigMap the watcher left out (too large) denies the paths, saying why",
                        with(upsert(Kind.CONFIG_MAP, "ns", "custom", new ConfigMapState(Map.of(), "its data is 70007 characters")),
                                ing("a", 1, Map.of(CH, "ns/custom"))),
                        deniedTable("ConfigMap ns/custom (" + CH + ") was not published: its data is 70007 characters")),

                row("a denial from the ConfigMap joins the Ingress's source ranges, which stay",
                        with(ing("a", 1, Map.of(CH, "ns/custom", N + "whitelist-source-range", "10.0.0.0/8"))),
                        table(new RouteOptions(null, null, null, null, null, null,
                                        new RouteAccess(List.of("10.0.0.0/8"), List.of(), null, null, missing), null, null),
                                error("ns", "a", missing + DENIED))),

                row("proxy-set-headers' fields are sent to the backends, sorted by name",
                        with(configMap("ns", "up", Map.of("X-Using-Signalbox", "true", "X-Different-Name", "true")),
                                ing("a", 1, Map.of(PSH, "ns/up"))),
                        table(headers(List.of(), List.of(f("X-Different-Name", "true"), f("X-Using-Signalbox", "true"))))),

                row("both ConfigMaps on one Ingress: response and request fields",
                        with(configMap("ns", "down", Map.of("X-Frame-Options", "DENY")), configMap("ns", "up", Map.of("X-Tenant", "blue")),
                                ing("a", 1, Map.of(CH, "ns/down", PSH, "ns/up"))),
                        table(headers(List.of(f("X-Frame-Options", "DENY")), List.of(f("X-Tenant", "blue"))))),

                row("an nginx variable in proxy-set-headers is sent as written, with a warning",
                        with(configMap("ns", "up", Map.of("X-Request-Start", "t=${msec}")), ing("a", 1, Map.of(PSH, "ns/up"))),
                        table(headers(List.of(), List.of(f("X-Request-Start", "t=${msec}"))),
                                warning("ns", "a", "ConfigMap ns/up (" + PSH + "): the value of X-Request-Start is sent as "
                                        + "written; nginx variables (\"t=${msec}\") are not expanded"))),

                row("a missing proxy-set-headers ConfigMap sets nothing, with a warning, as ingress-nginx's controller does",
                        with(ing("a", 1, Map.of(PSH, "ns/up"))),
                        table(null, warning("ns", "a", "ConfigMap ns/up (" + PSH + ") does not exist: no field is set on the "
                                + "requests sent to the backends, as ingress-nginx does when its proxy-set-headers "
                                + "ConfigMap is missing"))),

                row("Host in proxy-set-headers is refused (upstream-vhost sets it): denied",
                        with(configMap("ns", "up", Map.of("Host", "other.example")), ing("a", 1, Map.of(PSH, "ns/up"))),
                        deniedTable("ConfigMap ns/up (" + PSH + ") sets Host, which only the proxy writes (framing, "
                                        + "connection, Host and identity fields such as X-Forwarded-*, X-Real-IP and ssl-client-*)")),

                row("proxy-set-headers under the ingress-nginx prefix is ignored, as ingress-nginx ignores it",
                        with(configMap("ns", "up", Map.of("X-Tenant", "blue")), ing("a", 1, Map.of(N + "proxy-set-headers", "ns/up"))),
                        table(null, warning("ns", "a", "annotation " + N + "proxy-set-headers is not supported by Signalbox and is ignored: "
                                + Annotations.classify(N + "proxy-set-headers").orElseThrow().note()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }

    @org.junit.jupiter.api.Test
    void aConfigMapEditOrDeleteRecompilesTheIngressThatNamesIt() {
        dev.signalbox.compiler.model.ClusterModel m = model(with(configMap("ns", "custom", Map.of("X-A", "1")),
                ing("a", 1, Map.of(CH, "ns/custom"))));
        IncrementalCompiler compiler = new IncrementalCompiler();
        RoutingTable first = compiler.compile(m);
        m.apply(configMap("ns", "custom", Map.of("X-A", "2")));
        RoutingTable edited = compiler.compile(m);
        m.apply(ClusterEvent.delete(new dev.signalbox.schemas.event.ObjectKey(C, Kind.CONFIG_MAP, "ns", "custom"),
                "uid-custom", "2", java.time.Instant.EPOCH, 1));
        RoutingTable deleted = compiler.compile(m);
        String missing = "ConfigMap ns/custom (" + CH + ") does not exist";
        assertEquals(List.of(table(headers(List.of(f("X-A", "1")), List.of())), table(headers(List.of(f("X-A", "2")), List.of())),
                        deniedTable(missing)), List.of(first, edited, deleted));
    }
}
