package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The canary's rules and session affinity as the proxy applies them (issue 18): a request (headers, cookies, the
 * weighted draw) in, the backend and session cookie out, one row a case.
 */
class TrafficSplitTest {
    private static final Backend MAIN = backend("main", new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80));
    private static final Backend CANARY = backend("canary", new Endpoint("10.0.1.1", 80));
    private static final Traffic.Affinity STICKY = new Traffic.Affinity("INGRESSCOOKIE", null, null, null, null, null,
            null, false, false, false);

    private static Backend backend(String name, Endpoint... endpoints) {
        return new Backend("c/default/" + name + ":80", "c", "default", name, "80", List.of(endpoints), null);
    }

    private static CompiledTable table(Traffic traffic, Backend... backends) {
        Route r = new Route("/app", PathMatch.PREFIX, MAIN.id(), "c/default/main", false,
                new RouteOptions(null, null, null, null, null, traffic, null, null, null));
        RoutingTable t = new RoutingTable(List.of(new VirtualHost("foo.com", List.of(r))), null, List.of(backends),
                List.of(), List.of());
        return CompiledTable.compile(SnapshotCodec.create(1, Instant.EPOCH, List.of(), t), Locality.DEFAULT);
    }

    private static Traffic canary(String header, String value, String pattern, String cookie, int weight) {
        return new Traffic(new Traffic.Canary(CANARY.id(), "c/default/canary", header, value, pattern, cookie, weight,
                100, null), null, null);
    }

    private static final CompiledTable BY_HEADER = table(canary("X-Canary", null, null, "canary", 30), MAIN, CANARY);
    private static final CompiledTable BY_VALUE = table(canary("X-Version", "v2", null, "canary", 0), MAIN, CANARY);
    private static final CompiledTable BY_PATTERN = table(canary("X-Version", null, "^v[23]", null, 0), MAIN, CANARY);

    /** A request with these headers ("Name", value) and cookies ("cookie:name", value) whose draws give {@code draw}. */
    record Request(Map<String, String> fields, int draw) implements RequestView {
        @Override
        public String header(String name) {
            return fields.get(name);
        }

        @Override
        public String cookie(String name) {
            return fields.get("cookie:" + name);
        }

        @Override
        public int draw(int bound) {
            return draw;
        }

        @Override
        public String variable(String name) {
            return fields.get("$" + name);
        }

        @Override
        public double latency(Endpoint e) {
            return Double.parseDouble(fields.getOrDefault("latency:" + e.address(), "0"));
        }
    }

    private static Request request(int draw, String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return new Request(m, draw);
    }

    record Case(String name, CompiledTable table, Request request, String backend) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> canaryCases() {
        return Stream.of(
                new Case("header always sends to the canary whatever the cookie says", BY_HEADER,
                        request(99, "X-Canary", "always", "cookie:canary", "never"), CANARY.id()),
                new Case("header never keeps the main backend whatever the cookie and the draw say", BY_HEADER,
                        request(0, "X-Canary", "never", "cookie:canary", "always"), MAIN.id()),
                new Case("another header value decides nothing: the cookie decides", BY_HEADER,
                        request(99, "X-Canary", "yes", "cookie:canary", "always"), CANARY.id()),
                new Case("cookie never keeps the main backend whatever the draw", BY_HEADER,
                        request(0, "cookie:canary", "never"), MAIN.id()),
                new Case("another cookie value decides nothing: the draw decides", BY_HEADER,
                        request(29, "cookie:canary", "x"), CANARY.id()),
                new Case("a draw below the weight sends to the canary", BY_HEADER, request(29), CANARY.id()),
                new Case("a draw at the weight keeps the main backend", BY_HEADER, request(30), MAIN.id()),
                new Case("with canary-by-header-value its exact value sends to the canary", BY_VALUE,
                        request(99, "X-Version", "v2"), CANARY.id()),
                new Case("with canary-by-header-value always is just another value", BY_VALUE,
                        request(0, "X-Version", "always"), MAIN.id()),
                new Case("with canary-by-header-value another value falls through to the cookie", BY_VALUE,
                        request(99, "X-Version", "v3", "cookie:canary", "always"), CANARY.id()),
                new Case("canary-by-header-pattern: a value containing a match sends to the canary", BY_PATTERN,
                        request(99, "X-Version", "v3-beta"), CANARY.id()),
                new Case("canary-by-header-pattern: a value without a match does not", BY_PATTERN,
                        request(0, "X-Version", "v1"), MAIN.id()),
                new Case("a request without headers or cookies, as explain asks, goes to the main backend", BY_HEADER,
                        null, MAIN.id()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canaryCases")
    void picksTheBackend(Case c) {
        Decision d = c.request() == null ? c.table().route("foo.com", "/app/x", false, e -> true)
                : c.table().route("foo.com", "/app/x", false, e -> true, c.request());
        assertEquals(c.backend(), ((Decision.Forward) d).backendId());
    }

    private static Traffic sticky(Traffic.Affinity a) {
        return new Traffic(null, new Traffic.Balancer(a, null, null), null);
    }

    private static final CompiledTable STICKY_TABLE = table(new Traffic(new Traffic.Canary(CANARY.id(),
            "c/default/canary", "X-Canary", null, null, null, 50, 100, new Traffic.Balancer(STICKY, null, null)),
            new Traffic.Balancer(STICKY, null, null), null), MAIN, CANARY);

    private static String cookieOf(Backend b, int endpoint) {
        return Sticky.endpointKey(b.id(), b.endpoints().get(endpoint)) + "." + Sticky.backendKey(b.id());
    }

    @Test
    void aNewSessionGetsACookieNamingItsEndpointAndTheEndpointIsKeptWhileItIsThere() {
        Decision.Forward first = (Decision.Forward) STICKY_TABLE.route("foo.com", "/app", false, e -> true, request(99));
        assertEquals(MAIN.id(), first.backendId());
        int index = MAIN.endpoints().indexOf(first.endpoint());
        assertEquals("INGRESSCOOKIE=" + cookieOf(MAIN, index) + "; Path=/app; HttpOnly",
                first.sticky().setCookie(false, null, 0));
        for (int i = 0; i < 5; i++) {
            Decision.Forward again = (Decision.Forward) STICKY_TABLE.route("foo.com", "/app", false, e -> true,
                    request(0, "cookie:INGRESSCOOKIE", cookieOf(MAIN, index), "X-Canary", "always"));
            assertEquals(List.of(MAIN.id(), first.endpoint()), List.of(again.backendId(), again.endpoint()),
                    "a session on the main backend stays there, whatever the canary's rules say");
            assertNull(again.sticky().setCookie(true, null, 0));
        }
    }

    @Test
    void aSessionOnTheCanaryStaysOnTheCanary() {
        Decision.Forward f = (Decision.Forward) STICKY_TABLE.route("foo.com", "/app", false, e -> true,
                request(99, "cookie:INGRESSCOOKIE", cookieOf(CANARY, 0), "X-Canary", "never"));
        assertEquals(List.of(CANARY.id(), CANARY.endpoints().get(0)), List.of(f.backendId(), f.endpoint()));
        assertNull(f.sticky().setCookie(false, null, 0));
    }

    @Test
    void aSessionWhoseEndpointIsGoneMovesWithANewCookieOnItsBackend() {
        Backend shrunk = backend("main", new Endpoint("10.0.0.2", 80));
        CompiledTable t = table(sticky(STICKY), shrunk);
        String gone = Sticky.endpointKey(MAIN.id(), new Endpoint("10.0.0.1", 80)) + "." + Sticky.backendKey(MAIN.id());
        Decision.Forward f = (Decision.Forward) t.route("foo.com", "/app", true, e -> true,
                request(0, "cookie:INGRESSCOOKIE", gone));
        assertEquals(new Endpoint("10.0.0.2", 80), f.endpoint());
        assertEquals("INGRESSCOOKIE=" + cookieOf(shrunk, 0) + "; Path=/app; Secure; HttpOnly",
                f.sticky().setCookie(true, null, 0));
    }

    @Test
    void anEjectedEndpointsSessionIsServedElsewhereButKeptUnlessChangeOnFailure() {
        Endpoint kept = MAIN.endpoints().get(0);
        Request r = request(0, "cookie:INGRESSCOOKIE", cookieOf(MAIN, 0));
        Decision.Forward f = (Decision.Forward) table(sticky(STICKY), MAIN)
                .route("foo.com", "/app", false, e -> !e.equals(kept), r);
        assertEquals(List.of(MAIN.endpoints().get(1), "null"),
                List.of(f.endpoint(), String.valueOf(f.sticky().setCookie(false, null, 0))));
        Traffic.Affinity moving = new Traffic.Affinity("s", "/", ".foo.com", 60L, 120L, true, "Strict", false, true, true);
        Decision.Forward moved = (Decision.Forward) table(sticky(moving), MAIN)
                .route("foo.com", "/app", false, e -> !e.equals(kept), request(0, "cookie:s", cookieOf(MAIN, 0)));
        assertEquals("s=" + cookieOf(MAIN, 1) + "; Path=/; Domain=.foo.com; Expires=Thu, 1 Jan 1970 00:02:00 GMT; "
                + "Max-Age=60; Secure; HttpOnly; SameSite=Strict", moved.sticky().setCookie(false, null, 0));
    }

    private static Backend many(int n) {
        Endpoint[] eps = new Endpoint[n];
        for (int i = 0; i < n; i++) {
            eps[i] = new Endpoint("10.0.0." + (i + 1), 80);
        }
        return backend("main", eps);
    }

    private static Endpoint hashed(CompiledTable t, String uri, java.util.function.Predicate<Endpoint> usable) {
        return ((Decision.Forward) t.route("foo.com", "/app", false, usable, request(0, "$request_uri", uri,
                "$host", "foo.com"))).endpoint();
    }

    @Test
    void aHashedKeyKeepsItsEndpointWhenOneIsAddedAndOnlyAboutAFifthMoveAllToTheNewOne() {
        Traffic byUri = new Traffic(null, new Traffic.Balancer(null, "$request_uri$host", null), null);
        CompiledTable four = table(byUri, many(4));
        Backend fiveBackend = many(5);
        CompiledTable five = table(byUri, fiveBackend);
        Endpoint added = fiveBackend.endpoints().get(4);
        int moved = 0;
        Map<String, Integer> perEndpoint = new TreeMap<>();
        for (int k = 0; k < 2000; k++) {
            String uri = "/app/item/" + k;
            Endpoint before = hashed(four, uri, e -> true);
            Endpoint after = hashed(five, uri, e -> true);
            assertEquals(before, hashed(four, uri, e -> true), "the same key, the same endpoint");
            perEndpoint.merge(before.address(), 1, Integer::sum);
            if (!before.equals(after)) {
                moved++;
                assertEquals(added, after, "a key that moves, moves to the endpoint added");
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(moved > 2000 * 0.12 && moved < 2000 * 0.28,
                moved + " of 2000 keys moved, want about 400");
        for (int n : perEndpoint.values()) {
            org.junit.jupiter.api.Assertions.assertTrue(n > 350 && n < 650, "keys per endpoint " + perEndpoint);
        }
    }

    @Test
    void aHashedKeyWhoseEndpointIsEjectedGoesToTheNextOnTheRingAndComesBack() {
        CompiledTable t = table(new Traffic(null, new Traffic.Balancer(null, "$request_uri", null), null), many(4));
        Endpoint home = hashed(t, "/x", e -> true);
        Endpoint elsewhere = hashed(t, "/x", e -> !e.equals(home));
        assertEquals(List.of(true, home), List.of(!elsewhere.equals(home), hashed(t, "/x", e -> true)));
    }

    @Test
    void subsetsAreConsecutiveRunsOfTheEndpointsAndTheLastIsFilledUpFromTheStartAsInIngressNginx() {
        List<List<List<Integer>>> cut = new java.util.ArrayList<>();
        for (int[] nAndSize : new int[][] {{7, 3}, {6, 3}, {2, 3}, {0, 3}}) {
            cut.add(java.util.Arrays.stream(CompiledTable.Subsets.of(nAndSize[0], nAndSize[1]).members)
                    .map(m -> java.util.Arrays.stream(m).boxed().toList()).toList());
        }
        assertEquals(List.of(List.of(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6, 0, 1)),
                List.of(List.of(0, 1, 2), List.of(3, 4, 5)), List.of(List.of(0, 1, 0)), List.of()), cut);
    }

    /** The addresses one key reaches over the draws 0..size-1 within its subset. */
    private static java.util.Set<String> subsetOf(CompiledTable t, String uri, int size,
                                                 java.util.function.Predicate<Endpoint> usable) {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (int draw = 0; draw < size; draw++) {
            seen.add(((Decision.Forward) t.route("foo.com", "/app", false, usable, request(draw, "$request_uri", uri)))
                    .endpoint().address());
        }
        return seen;
    }

    @Test
    void upstreamHashBySubsetKeepsEachKeyInOneSubsetAndSpreadsItsRequestsOverThatSubset() {
        CompiledTable t = table(new Traffic(null, new Traffic.Balancer(null, "$request_uri", null, 3), null), many(7));
        java.util.Set<String> set1 = java.util.Set.of("10.0.0.1", "10.0.0.2", "10.0.0.3");
        java.util.Set<String> set2 = java.util.Set.of("10.0.0.4", "10.0.0.5", "10.0.0.6");
        java.util.Set<String> set3 = java.util.Set.of("10.0.0.7", "10.0.0.1", "10.0.0.2");
        Map<java.util.Set<String>, Integer> keysPerSubset = new java.util.HashMap<>();
        for (int k = 0; k < 300; k++) {
            java.util.Set<String> seen = subsetOf(t, "/item/" + k, 3, e -> true);
            assertEquals(seen, subsetOf(t, "/item/" + k, 3, e -> true), "the same key, the same subset");
            keysPerSubset.merge(seen, 1, Integer::sum);
        }
        assertEquals(java.util.Set.of(set1, set2, set3), keysPerSubset.keySet(), "every request of a key in one whole subset");
        for (int n : keysPerSubset.values()) {
            org.junit.jupiter.api.Assertions.assertTrue(n > 50, "keys per subset " + keysPerSubset);
        }
    }

    @Test
    void anEjectedEndpointIsSkippedInItsSubsetAndASubsetWithNoneUsablePassesTheKeyOn() {
        CompiledTable t = table(new Traffic(null, new Traffic.Balancer(null, "$request_uri", null, 2), null), many(4));
        java.util.Set<String> home = subsetOf(t, "/x", 2, e -> true);
        String ejected = home.iterator().next();
        java.util.Set<String> others = new java.util.TreeSet<>(home);
        others.remove(ejected);
        java.util.Set<String> elsewhere = subsetOf(t, "/x", 2, e -> !home.contains(e.address()));
        assertEquals(List.of(others, true), List.of(subsetOf(t, "/x", 2, e -> !e.address().equals(ejected)),
                java.util.Collections.disjoint(home, elsewhere) && elsewhere.size() == 2));
    }

    @Test
    void ewmaSendsToTheFasterOfTwoDrawnEndpointsAndToAUsableOneWhenTheOtherIsEjected() {
        CompiledTable t = table(new Traffic(null, new Traffic.Balancer(null, null, "ewma"), null), many(3));
        Map<String, String> chosen = new TreeMap<>();
        // Draws of 0 pick the first endpoint and the second (the second draw skips the first).
        chosen.put("second faster", ((Decision.Forward) t.route("foo.com", "/app", false, e -> true,
                request(0, "latency:10.0.0.1", "0.5", "latency:10.0.0.2", "0.1"))).endpoint().address());
        chosen.put("first faster", ((Decision.Forward) t.route("foo.com", "/app", false, e -> true,
                request(0, "latency:10.0.0.1", "0.1", "latency:10.0.0.2", "0.5"))).endpoint().address());
        chosen.put("faster one ejected", ((Decision.Forward) t.route("foo.com", "/app", false,
                e -> !e.address().equals("10.0.0.2"), request(0, "latency:10.0.0.1", "0.5", "latency:10.0.0.2", "0.1")))
                .endpoint().address());
        chosen.put("both drawn ejected", ((Decision.Forward) t.route("foo.com", "/app", false,
                e -> e.address().equals("10.0.0.3"), request(0))).endpoint().address());
        assertEquals(Map.of("second faster", "10.0.0.2", "first faster", "10.0.0.1", "faster one ejected", "10.0.0.1",
                "both drawn ejected", "10.0.0.3"), chosen);
    }

    @Test
    void upstreamVhostIsTheHostTheBackendGets() {
        CompiledTable t = table(new Traffic(null, null, "web.ns.svc"), MAIN);
        assertEquals(new Decision.Rewrite(null, null, "web.ns.svc"),
                ((Decision.Forward) t.route("foo.com", "/app", false, e -> true)).rewrite());
    }

    @Test
    void sameSiteNoneIsLeftOutOnlyForClientsThatRejectItAndOnlyWhenConditional() {
        Traffic.Affinity conditional = new Traffic.Affinity("s", null, null, null, null, true, "None", true, false,
                false);
        Traffic.Affinity always = new Traffic.Affinity("s", null, null, null, null, true, "None", false, false,
                false);
        Map<String, String> agents = Map.of(
                "Chrome 120", "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
                "Chrome 66", "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/66.0.3359 Safari/537.36",
                "iOS 12", "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
                "Safari on macOS 10.14", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 "
                        + "Version/12.1 Safari/605.1.15",
                "no User-Agent", "");
        Map<String, String> sameSite = new TreeMap<>();
        agents.forEach((name, ua) -> {
            String agent = ua.isEmpty() ? null : ua;
            boolean ifCompatible = new Sticky(conditional, MAIN.id(), "k", true, "/").setCookie(true, agent, 0)
                    .contains("SameSite=None");
            boolean unconditional = new Sticky(always, MAIN.id(), "k", true, "/").setCookie(true, agent, 0)
                    .contains("SameSite=None");
            sameSite.put(name, ifCompatible + "/" + unconditional);
        });
        assertEquals(Map.of("Chrome 120", "true/true", "Chrome 66", "false/true", "iOS 12", "false/true",
                "Safari on macOS 10.14", "false/true", "no User-Agent", "true/true"), sameSite);
    }

    @Test
    void cookiesAreFoundInACookieHeader() {
        assertEquals(List.of("b", "2", "x y", "null", "null"), Stream.of(
                RequestView.cookieIn("a=1; INGRESSCOOKIE=b", "INGRESSCOOKIE"),
                RequestView.cookieIn("a=1;b=2", "b"),
                RequestView.cookieIn(" c=\"x y\" ", "c"),
                RequestView.cookieIn("ab=1", "b"),
                RequestView.cookieIn("a", "a")).map(String::valueOf).toList());
    }
}
