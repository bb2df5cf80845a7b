package dev.signalbox.e2e.conformance;

import static dev.signalbox.launcher.manifests.Manifests.exact;
import static dev.signalbox.launcher.manifests.Manifests.prefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.manifests.Manifests.Endpoint;
import dev.signalbox.launcher.manifests.Manifests.IngressPath;
import dev.signalbox.launcher.manifests.Manifests.Rule;
import dev.signalbox.launcher.manifests.Manifests.ServicePort;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ingress v1 semantics as a user sees them, through the whole pipeline: manifests in a directory, the
 * watcher, Kafka, the compiler and two proxies, with echo backends as endpoints. One pipeline serves every
 * case; a case that changes what every host sees (a rule without host, the default backend, the default
 * class) puts it back and waits until it is gone. Every wait is on an answer, never on time.
 */
class ConformanceIT {
    private static final String NAMESPACE = "conf";
    private static final Manifests MANIFESTS = new Manifests(NAMESPACE);
    private static final String OTHER_CLASS = "nginx";
    private static final String LEGACY_CLASS = "kubernetes.io/ingress.class";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NOT_FOUND = "404";

    @TempDir
    static Path tmp;
    private static Path manifests;
    private static LocalMode local;
    private static final List<EchoBackend> BACKENDS = new ArrayList<>();
    private static final List<EchoBackend> SPREAD = new ArrayList<>();

    /** One row of the path-matching examples of kubernetes.io/docs/concepts/services-networking/ingress. */
    record Row(String name, List<IngressPath> paths, String request, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Row> ROWS = List.of(
            new Row("Prefix / matches all paths", List.of(prefix("/", "a")), "/any/path", "a"),
            new Row("Exact /foo matches /foo", List.of(exact("/foo", "a")), "/foo", "a"),
            new Row("Exact /foo does not match /bar", List.of(exact("/foo", "a")), "/bar", NOT_FOUND),
            new Row("Exact /foo does not match /foo/", List.of(exact("/foo", "a")), "/foo/", NOT_FOUND),
            new Row("Exact /foo/ does not match /foo", List.of(exact("/foo/", "a")), "/foo", NOT_FOUND),
            new Row("Prefix /foo matches /foo", List.of(prefix("/foo", "a")), "/foo", "a"),
            new Row("Prefix /foo matches /foo/", List.of(prefix("/foo", "a")), "/foo/", "a"),
            new Row("Prefix /foo/ matches /foo", List.of(prefix("/foo/", "a")), "/foo", "a"),
            new Row("Prefix /foo/ matches /foo/", List.of(prefix("/foo/", "a")), "/foo/", "a"),
            new Row("Prefix /aaa/bb does not match /aaa/bbb", List.of(prefix("/aaa/bb", "a")), "/aaa/bbb", NOT_FOUND),
            new Row("Prefix /aaa/bbb matches /aaa/bbb", List.of(prefix("/aaa/bbb", "a")), "/aaa/bbb", "a"),
            new Row("Prefix /aaa/bbb/ matches /aaa/bbb, ignoring the trailing slash",
                    List.of(prefix("/aaa/bbb/", "a")), "/aaa/bbb", "a"),
            new Row("Prefix /aaa/bbb matches /aaa/bbb/, with a trailing slash",
                    List.of(prefix("/aaa/bbb", "a")), "/aaa/bbb/", "a"),
            new Row("Prefix /aaa/bbb matches the subpath /aaa/bbb/ccc", List.of(prefix("/aaa/bbb", "a")),
                    "/aaa/bbb/ccc", "a"),
            new Row("Prefix /aaa/bbb does not match /aaa/bbbxyz, a string prefix only", List.of(prefix("/aaa/bbb", "a")),
                    "/aaa/bbbxyz", NOT_FOUND),
            new Row("Of Prefix / and /aaa, /aaa/ccc goes to the longest, /aaa",
                    List.of(prefix("/", "a"), prefix("/aaa", "b")), "/aaa/ccc", "b"),
            new Row("Of Prefix /, /aaa and /aaa/bbb, /aaa/bbb goes to /aaa/bbb",
                    List.of(prefix("/", "a"), prefix("/aaa", "b"), prefix("/aaa/bbb", "c")), "/aaa/bbb", "c"),
            new Row("Of Prefix /, /aaa and /aaa/bbb, /ccc goes to /",
                    List.of(prefix("/", "a"), prefix("/aaa", "b"), prefix("/aaa/bbb", "c")), "/ccc", "a"),
            new Row("Prefix /aaa does not match /ccc", List.of(prefix("/aaa", "a")), "/ccc", NOT_FOUND),
            new Row("Of Prefix /foo and Exact /foo, /foo goes to Exact",
                    List.of(prefix("/foo", "a"), exact("/foo", "b")), "/foo", "b"));

    @BeforeAll
    static void start() throws IOException {
        for (String name : List.of("a", "b", "c", "any", "fallback")) {
            BACKENDS.add(EchoBackend.start(name));
        }
        for (int i = 0; i < 10; i++) {
            SPREAD.add(EchoBackend.start("spread-" + i));
        }
        manifests = Files.createDirectories(tmp.resolve("manifests"));
        write("classes.yaml", ingressClasses(true));
        List<String> services = new ArrayList<>();
        for (EchoBackend b : BACKENDS) {
            services.add(MANIFESTS.service(b.name(), b.port()));
        }
        services.add(MANIFESTS.service("spread", SPREAD.stream().map(EchoBackend::port).toList()));
        write("services.yaml", Manifests.documents(services));
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < ROWS.size(); i++) {
            rows.add(ingress(rowName(i), new Rule(rowHost(i), ROWS.get(i).paths())));
        }
        write("paths.yaml", Manifests.documents(rows));
        local = LocalMode.start(LocalConfig.onFreePorts(manifests, tmp.resolve("data"), 2));
        awaitOwned(IntStream.range(0, ROWS.size()).mapToObj(ConformanceIT::rowName).toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        if (local != null) {
            local.close();
        }
        Stream.concat(BACKENDS.stream(), SPREAD.stream()).forEach(EchoBackend::close);
    }

    /** Our class (the default or not) and another controller's class. */
    private static String ingressClasses(boolean oursIsDefault) {
        return Manifests.documents(Manifests.ingressClass(Manifests.OUR_CLASS, Manifests.OUR_CONTROLLER, oursIsDefault),
                Manifests.ingressClass(OTHER_CLASS, "k8s.io/ingress-nginx", false));
    }

    /** An Ingress naming our class, with these rules. */
    private static String ingress(String name, Rule... rules) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).rules(List.of(rules)).yaml();
    }

    private static String rowName(int i) {
        return "row-" + i;
    }

    private static String rowHost(int i) {
        return "row-" + i + ".paths.test";
    }

    static Stream<Row> rows() {
        return ROWS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void pathMatchingFollowsTheKubernetesExamples(Row row) {
        String host = rowHost(ROWS.indexOf(row));
        List<String> answers = local.proxies().stream().map(p -> answer(p, host, row.request())).toList();
        assertEquals(Collections.nCopies(answers.size(), row.expected()), answers);
    }

    @Test
    void aRequestPathIsMatchedInItsNormalForm() {
        // Row 16's host routes Prefix / to a, /aaa to b and /aaa/bbb to c; %2F is not a separator.
        String host = rowHost(16);
        List<String> requests = List.of("/ccc/../aaa/bbb", "/../aaa/bbb/", "//aaa//bbb", "/aaa/%2e%2e/aaa/%62bb",
                "/aaa%2Fbbb", "/aaa/bbb%2F..%2F..");
        Map<String, String> expected = new LinkedHashMap<>();
        List.of("c", "c", "c", "c", "a", "b").forEach(b -> expected.put(requests.get(expected.size()), b));
        Map<String, String> actual = new LinkedHashMap<>();
        for (String r : requests) {
            actual.put(r, answer(proxy(0), host, r));
        }
        assertEquals(expected, actual);
    }

    @Test
    void anExternalNameServiceIsProxiedToItsDnsName() throws IOException {
        // "localhost" resolves to the IPv4 loopback first (the JDK's default), where echo backend "b" listens.
        write("external.yaml", Manifests.documents(List.of(
                MANIFESTS.externalName("external", "localhost", backend("b").port()),
                ingress("external", new Rule("external.test", prefix("/", "external"))))));
        awaitAnswer("external.test", "/x", "b");
    }

    @Test
    void anIpv6EndpointIsProxiedTo() throws IOException {
        HttpServer v6;
        try {
            v6 = HttpServer.create(new InetSocketAddress(InetAddress.getByName("::1"), 0), 16);
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback on this machine: " + e.getMessage());
            return;
        }
        v6.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("X-Backend", "v6");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        v6.start();
        try {
            write("v6.yaml", Manifests.documents(List.of(
                    MANIFESTS.service("v6", ServicePort.HTTP, List.of(new Endpoint("IPv6", "::1", v6.getAddress().getPort()))),
                    ingress("v6", new Rule("v6.test", prefix("/", "v6"))))));
            awaitAnswer("v6.test", "/", "v6");
        } finally {
            v6.stop(0);
        }
    }

    @Test
    void hostsMatchExactlyThenByOneLabelWildcardThenWithoutHost() throws IOException {
        write("hosts.yaml", ingress("hosts", new Rule("foo.bar.com", prefix("/", "a")),
                new Rule("*.foo.com", prefix("/", "b")), new Rule("exact.foo.com", prefix("/", "c"))));
        awaitOwned("hosts");
        List<String> hosts = List.of("foo.bar.com", "FOO.bar.com:8080", "bar.foo.com", "exact.foo.com", "foo.com",
                "baz.bar.foo.com", "other.test");
        assertEquals(answers(hosts, "a", "a", "b", "c", NOT_FOUND, NOT_FOUND, NOT_FOUND), answersFor(hosts, "/x"));
        try {
            write("hostless.yaml", ingress("hostless", new Rule(null, prefix("/", "any"))));
            awaitAnswer("other.test", "/x", "any");
            assertEquals(answers(hosts, "a", "a", "b", "c", "any", "any", "any"), answersFor(hosts, "/x"));
        } finally {
            Files.deleteIfExists(manifests.resolve("hostless.yaml"));
            awaitAnswer("other.test", "/x", NOT_FOUND);
        }
    }

    @Test
    void theDefaultBackendServesWhatMatchesNothingAndWithoutItThatIs404() throws IOException {
        assertEquals(List.of(NOT_FOUND, NOT_FOUND), List.of(answer(proxy(0), "nothing.test", "/"),
                answer(proxy(0), rowHost(1), "/bar")), "an unknown host, and a known host's unmatched path");
        try {
            write("fallback.yaml", MANIFESTS.ingress("fallback").className(Manifests.OUR_CLASS).defaultBackend("fallback").yaml());
            awaitAnswer("nothing.test", "/", "fallback");
            assertEquals(List.of("fallback", "fallback", "a"), List.of(answer(proxy(1), "nothing.test", "/x"),
                    answer(proxy(1), rowHost(1), "/bar"), answer(proxy(1), rowHost(1), "/foo")));
        } finally {
            Files.deleteIfExists(manifests.resolve("fallback.yaml"));
            awaitAnswer("nothing.test", "/", NOT_FOUND);
        }
    }

    @Test
    void anIngressNamingOurClassIsServedAndOneNamingAnotherControllersClassIsNot() throws IOException {
        write("class.yaml", ingress("class", new Rule("class.test", prefix("/", "a"))));
        awaitAnswer("class.test", "/", "a");
        write("class.yaml", MANIFESTS.ingress("class").className(OTHER_CLASS)
                .rule(new Rule("class.test", prefix("/", "a"))).yaml());
        awaitAnswer("class.test", "/", NOT_FOUND);
    }

    @Test
    void theLegacyClassAnnotationSelectsTheController() throws IOException {
        write("legacy.yaml", MANIFESTS.ingress("legacy").annotation(LEGACY_CLASS, Manifests.OUR_CLASS)
                .rule(new Rule("legacy.test", prefix("/", "b"))).yaml());
        awaitAnswer("legacy.test", "/", "b");
        // Our class is the default, so only the annotation keeps this Ingress away from us.
        write("legacy.yaml", MANIFESTS.ingress("legacy").annotation(LEGACY_CLASS, OTHER_CLASS)
                .rule(new Rule("legacy.test", prefix("/", "b"))).yaml());
        awaitAnswer("legacy.test", "/", NOT_FOUND);
    }

    @Test
    void anIngressWithoutClassIsServedOnlyWhileOurClassIsTheDefault() throws IOException {
        write("classless.yaml", MANIFESTS.ingress("classless").rule(new Rule("classless.test", prefix("/", "c"))).yaml());
        awaitAnswer("classless.test", "/", "c");
        try {
            write("classes.yaml", ingressClasses(false));
            awaitAnswer("classless.test", "/", NOT_FOUND);
            assertEquals("a", answer(proxy(0), rowHost(0), "/"), "an Ingress naming our class is still served");
        } finally {
            write("classes.yaml", ingressClasses(true));
        }
        awaitAnswer("classless.test", "/", "c");
    }

    @Test
    void roundRobinSpreadsRequestsOverTenEndpoints() throws IOException {
        write("spread.yaml", ingress("spread", new Rule("spread.test", prefix("/", "spread"))));
        Await.value("all ten endpoints of service spread on every proxy", WAIT,
                () -> local.proxies().stream().map(ConformanceIT::spreadEndpoints).toList(),
                counts -> counts.stream().allMatch(n -> n == 10));
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            counts.merge(answer(proxy(0), "spread.test", "/" + i), 1, Integer::sum);
        }
        int min = Collections.min(counts.values());
        int max = Collections.max(counts.values());
        assertTrue(counts.size() == 10 && counts.keySet().stream().allMatch(k -> k.startsWith("spread-"))
                && min >= 1 && max - min <= 2, "100 requests over ten endpoints: " + counts);
    }

    @Test
    void aBrokenIngressNeverStopsTheOthers() throws IOException {
        write("broken.yaml", ingress("broken", new Rule("broken.test", prefix("/missing", "no-such-service"),
                new IngressPath("Sometimes", "/bad-type", "a"), prefix("/resource", null))));
        List<String> expected = List.of(
                "path \"/bad-type\" of host broken.test: pathType \"Sometimes\" is not Exact, Prefix or "
                        + "ImplementationSpecific; path ignored",
                "path \"/resource\" of host broken.test: resource backends (StorageBucket static-assets) are not "
                        + "supported by Signalbox; ignored",
                "service conf/no-such-service does not exist");
        Await.value("the broken Ingress's diagnostics on every proxy", WAIT, ConformanceIT::brokenDiagnostics,
                d -> d.stream().allMatch(expected::equals));
        for (int i = 0; i < 20; i++) {
            String backend = i % 2 == 0 ? "a" : "b";
            write("stream.yaml", ingress("stream", new Rule("stream.test", prefix("/v" + i, backend))));
            awaitAnswer("stream.test", "/v" + i, backend);
        }
        assertEquals(List.of(expected, expected), brokenDiagnostics());
        // The route to the missing Service exists and says why it cannot be served; the others were left out.
        assertEquals(List.of("503", NOT_FOUND, NOT_FOUND, NOT_FOUND, "b"), List.of(
                answer(proxy(1), "broken.test", "/missing"), answer(proxy(1), "broken.test", "/bad-type"),
                answer(proxy(1), "broken.test", "/resource"), answer(proxy(1), "stream.test", "/v18"),
                answer(proxy(1), "stream.test", "/v19")));
    }

    /** The diagnostics of Ingress conf/broken as each proxy's admin /routes shows them, sorted. */
    private static List<List<String>> brokenDiagnostics() {
        List<List<String>> out = new ArrayList<>();
        for (ProxyNode p : local.proxies()) {
            List<String> messages = new ArrayList<>();
            for (JsonNode d : routes(p).path("table").path("diagnostics")) {
                if (d.path("name").asText().equals("broken")) {
                    messages.add(d.path("message").asText());
                }
            }
            out.add(messages.stream().sorted().toList());
        }
        return out;
    }

    private static int spreadEndpoints(ProxyNode p) {
        for (JsonNode b : routes(p).path("table").path("backends")) {
            if (b.path("service").asText().equals("spread")) {
                return b.path("endpoints").size();
            }
        }
        return 0;
    }

    private static JsonNode routes(ProxyNode p) {
        try {
            return Json.MAPPER.readTree(Http.get(p.adminPort(), null, "/routes").body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until every proxy's table lists each Ingress as ours. */
    private static void awaitOwned(String... names) {
        for (ProxyNode p : local.proxies()) {
            Await.value("proxy " + p.httpPort() + " to own " + List.of(names), WAIT, () -> {
                List<String> owned = new ArrayList<>();
                routes(p).path("table").path("ingresses").forEach(n -> owned.add(n.asText()));
                return owned;
            }, owned -> Stream.of(names).allMatch(n -> owned.contains("local/" + NAMESPACE + "/" + n)));
        }
    }

    /** Waits until every proxy gives {@link #answer} {@code expected} for host and path. */
    private static void awaitAnswer(String host, String path, String expected) {
        for (ProxyNode p : local.proxies()) {
            Await.value("proxy " + p.httpPort() + " to answer " + expected + " for " + host + path, WAIT,
                    () -> answer(p, host, path), expected::equals);
        }
    }

    /** The name of the echo backend that answered, else the status code. */
    private static String answer(ProxyNode p, String host, String path) {
        HttpResponse<String> r = Http.get(p.httpPort(), host, path);
        return r.statusCode() == 200 ? r.headers().firstValue("X-Backend").orElse("200 without X-Backend")
                : String.valueOf(r.statusCode());
    }

    private static Map<String, String> answersFor(List<String> hosts, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ProxyNode p : local.proxies()) {
            for (String h : hosts) {
                out.merge(h, answer(p, h, path), (x, y) -> x.equals(y) ? x : x + " / " + y);
            }
        }
        return out;
    }

    private static Map<String, String> answers(List<String> hosts, String... expected) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            out.put(hosts.get(i), expected[i]);
        }
        return out;
    }

    private static EchoBackend backend(String name) {
        return BACKENDS.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    private static ProxyNode proxy(int i) {
        return local.proxies().get(i);
    }

    private static void write(String file, String yaml) throws IOException {
        // Written aside and moved in, so the watcher never reads half a file.
        Path part = tmp.resolve(file + ".part");
        Files.writeString(part, yaml);
        Files.move(part, manifests.resolve(file), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
