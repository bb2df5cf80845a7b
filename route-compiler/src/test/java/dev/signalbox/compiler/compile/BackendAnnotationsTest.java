package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static dev.signalbox.schemas.snapshot.PathMatch.PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ingress-nginx's service-upstream, default-backend and custom-http-errors annotations (issue 18): objects in, the
 * whole table out, one row a case, as RouteCompilerTest. Values, defaults, malformed values, Services without a
 * cluster IP, a default backend that does not exist.
 */
class BackendAnnotationsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String S = "signalbox.dev/";
    private static final Backend ERRORS80 = backend("ns", "errors", "80", ep("10.0.9.1", 8080));
    private static final String ERRORS = id("ns", "errors", "80");
    private static final String WEB_VIP = WEB + Backends.SERVICE_UPSTREAM;

    private static ClusterEvent serviceWithIp(String name, String type, String clusterIp) {
        return upsert(Kind.SERVICE, "ns", name, new ServiceState(type, null, List.of(port("http", 80, "8080")), clusterIp));
    }

    /** Our class, ns/web (cluster IP 10.96.0.10, two endpoints), ns/errors (port 80 first, one endpoint), the Ingress. */
    private static List<ClusterEvent> with(ClusterEvent web, ClusterEvent ingress) {
        return List.of(ourClass(false), web,
                slice("ns", "web-abc", "web", slicePort("http", 8080), ready("10.0.0.2", "10.0.0.1")),
                upsert(Kind.SERVICE, "ns", "errors", new ServiceState("ClusterIP", null,
                        List.of(port("http", 80, "8080"), port("admin", 9000, "9000")), "10.96.0.20")),
                slice("ns", "errors-abc", "errors", slicePort("http", 8080), ready("10.0.9.1")),
                ingress);
    }

    private static List<ClusterEvent> with(ClusterEvent ingress) {
        return with(serviceWithIp("web", "ClusterIP", "10.96.0.10"), ingress);
    }

    private static ClusterEvent app(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return annotated("ns", "app", 1, m, rule("foo.com", path("/", "Prefix", svc("web", 80))));
    }

    private static Route route(String backend, ErrorPages errors) {
        return new Route("/", PREFIX, backend, C + "/ns/app", false,
                errors == null ? null : new RouteOptions(null, null, null, null, null, null, null, null, errors));
    }

    private static ErrorPages errors(String backend, Integer... codes) {
        return new ErrorPages(backend, List.of(codes), "ns", "app", "web", "80");
    }

    private static RoutingTable table(Route route, List<Backend> backends, Diagnostic... diagnostics) {
        return new RoutingTable(route == null ? List.of() : List.of(new VirtualHost("foo.com", List.of(route))), null,
                backends, List.of(), List.of(C + "/ns/app"), List.of(diagnostics));
    }

    private static Arguments row(String name, List<ClusterEvent> events, RoutingTable expected) {
        return Arguments.of(name, events, expected);
    }

    private static Diagnostic notRouted(String annotation, String value, String expected) {
        return error("ns", "app", "annotation " + annotation + ": \"" + value + "\" is not " + expected
                + "; the Ingress is not routed until it is corrected");
    }

    private static Backend vip(String reason, String address) {
        return new Backend(WEB_VIP, C, "ns", "web", "80",
                address == null ? List.of() : List.of(ep(address, 80)), reason);
    }

    static Stream<Arguments> cases() {
        String codes = "a comma-separated list of statuses from 400 to 599";
        return Stream.of(
                row("without these annotations the route sends to the Service's endpoints and has no error pages",
                        with(app()), table(route(WEB, null), List.of(WEB80))),

                row("service-upstream: true sends to the Service's cluster IP and port, its one endpoint",
                        with(app(N + "service-upstream", "true")), table(route(WEB_VIP, null),
                                List.of(vip(null, "10.96.0.10")))),

                row("service-upstream: false is the default: the endpoints",
                        with(app(N + "service-upstream", "false")), table(route(WEB, null), List.of(WEB80))),

                row("service-upstream on a headless Service is an error and the route has no endpoint (503)",
                        with(serviceWithIp("web", "ClusterIP", "None"), app(S + "service-upstream", "true")),
                        table(route(WEB_VIP, null), List.of(vip("service-upstream: service ns/web has no cluster IP (a "
                                        + "headless Service); its requests get 503", null)),
                                error("ns", "app", "service-upstream: service ns/web has no cluster IP (a headless "
                                        + "Service); its requests get 503"))),

                row("service-upstream on a Service recorded without a cluster IP (an older watcher) is an error",
                        with(serviceWithIp("web", "ClusterIP", null), app(N + "service-upstream", "true")),
                        table(route(WEB_VIP, null), List.of(vip("service-upstream: service ns/web has no cluster IP "
                                        + "(none published); its requests get 503", null)),
                                error("ns", "app", "service-upstream: service ns/web has no cluster IP (none published); "
                                        + "its requests get 503"))),

                row("a malformed service-upstream is an error and the Ingress is not routed",
                        with(app(N + "service-upstream", "yes")),
                        table(null, List.of(), notRouted(N + "service-upstream", "yes", "true or false"))),

                row("default-backend names a Service of the Ingress's namespace, taken on its first port",
                        with(app(N + "default-backend", "errors")),
                        table(route(WEB, errors(ERRORS)), List.of(ERRORS80, WEB80))),

                row("custom-http-errors with a default backend: the codes sorted, without repeats, spaces allowed",
                        with(app(N + "default-backend", "errors", N + "custom-http-errors", "503, 404,404")),
                        table(route(WEB, errors(ERRORS, 404, 503)), List.of(ERRORS80, WEB80))),

                row("custom-http-errors without a default backend: the proxy's own page answers them",
                        with(app(S + "custom-http-errors", "500,502")),
                        table(route(WEB, errors(null, 500, 502)), List.of(WEB80))),

                row("a default-backend Service that does not exist is an error; the codes still get the proxy's page",
                        with(app(N + "default-backend", "missing", N + "custom-http-errors", "404")),
                        table(route(WEB, errors(null, 404)), List.of(WEB80), error("ns", "app", "default-backend "
                                + "service ns/missing does not exist; its errors get the proxy's own page and its "
                                + "Services' 503s stand"))),

                row("a default-backend that is not a Service name is an error and the Ingress is not routed",
                        with(app(N + "default-backend", "ns/Errors")),
                        table(null, List.of(), notRouted(N + "default-backend", "ns/Errors",
                                "the name of a Service in the Ingress's namespace"))),

                row("a custom-http-errors code that is not a number is an error and the Ingress is not routed",
                        with(app(N + "custom-http-errors", "404,abc")),
                        table(null, List.of(), notRouted(N + "custom-http-errors", "404,abc",
                                codes + " (\"abc\" is not one)"))),

                row("a custom-http-errors code below 400 is an error",
                        with(app(N + "custom-http-errors", "302")),
                        table(null, List.of(), notRouted(N + "custom-http-errors", "302", codes + " (\"302\" is not one)"))),

                row("a custom-http-errors code above 599 is an error",
                        with(app(N + "custom-http-errors", "404,600")),
                        table(null, List.of(), notRouted(N + "custom-http-errors", "404,600",
                                codes + " (\"600\" is not one)"))),

                row("service-upstream with custom-http-errors: the cluster IP, and the errors go to the default backend",
                        with(app(N + "service-upstream", "true", N + "default-backend", "errors",
                                N + "custom-http-errors", "503")),
                        table(route(WEB_VIP, errors(ERRORS, 503)), List.of(ERRORS80, vip(null, "10.96.0.10")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, RoutingTable expected) {
        assertEquals(expected, RouteCompiler.compile(model(events)));
    }
}
