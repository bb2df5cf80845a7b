package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.routing.Locality;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.VirtualHost;
import dev.signalbox.snapshotlog.SnapshotWriter;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Http;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Canary splits and sticky sessions (issue 18) through a real proxy node: snapshots published on a real broker as
 * the compiler publishes them, echo backends as endpoints, requests over sockets. Fails if Netty reports a leak.
 */
class ProxyNodeTrafficIT {
    static {
        NettyLeaks.install();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Traffic.Balancer STICKY = new Traffic.Balancer(new Traffic.Affinity("INGRESSCOOKIE", null,
            null, null, null, null, null, false, false, false), null, null);

    private static EmbeddedKafka kafka;
    private static SnapshotWriter.Publisher publisher;
    private static long version;
    private static EchoBackend main1;
    private static EchoBackend main2;
    private static EchoBackend main3;
    private static EchoBackend next;
    private static ProxyNode node;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.startTemporary();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 1, (short) 1);
        publisher = SnapshotWriter.publisher(kafka.bootstrapServers(), "proxy-traffic-it", 700);
        main1 = EchoBackend.start("main1");
        main2 = EchoBackend.start("main2");
        main3 = EchoBackend.start("main3");
        next = EchoBackend.start("next");
        node = ProxyNode.start(new ProxyConfig(kafka.bootstrapServers(), "traffic", "127.0.0.1", 0, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(5)).withLocality(Locality.DEFAULT));
        publishAndWait(table(List.of(main1, main2)));
    }

    @AfterAll
    static void stop() throws Exception {
        NettyLeaks.closeThenAssertNone(node, publisher, main1, main2, main3, next, kafka);
    }

    private static Backend backend(String name, List<EchoBackend> endpoints) {
        List<Endpoint> eps = new ArrayList<>();
        for (EchoBackend e : endpoints) {
            eps.add(new Endpoint("127.0.0.1", e.port()));
        }
        return new Backend(Backend.idOf("c", "default", name, "80"), "c", "default", name, "80", eps, null);
    }

    private static Route route(Backend main, Traffic traffic) {
        return new Route("/", PathMatch.PREFIX, main.id(), "c/default/main", false,
                new RouteOptions(null, null, null, null, null, traffic, null, null, null));
    }

    /**
     * split.test: a canary taking 20 of 100 requests, by header X-Canary and cookie canary too; sticky.test: sessions
     * on the main backend's endpoints; both.test: a canary taking half, sessions on both backends; hash.test:
     * endpoints chosen by a hash of the request target; vhost.test: the backend gets Host web.internal:8080.
     */
    private static RoutingTable table(List<EchoBackend> mainEndpoints) {
        Backend main = backend("main", mainEndpoints);
        Backend canary = backend("next", List.of(next));
        Traffic split = new Traffic(new Traffic.Canary(canary.id(), "c/default/canary", "X-Canary", null, null, "canary",
                20, 100, null), null, null);
        Traffic both = new Traffic(new Traffic.Canary(canary.id(), "c/default/canary", null, null, null, null, 50, 100,
                STICKY), STICKY, null);
        return new RoutingTable(List.of(
                new VirtualHost("both.test", List.of(route(main, both))),
                new VirtualHost("hash.test", List.of(route(main, new Traffic(null,
                        new Traffic.Balancer(null, "$request_uri", null), null)))),
                new VirtualHost("split.test", List.of(route(main, split))),
                new VirtualHost("sticky.test", List.of(route(main, new Traffic(null, STICKY, null)))),
                new VirtualHost("vhost.test", List.of(route(main, new Traffic(null, null, "web.internal:8080"))))),
                null, List.of(main, canary), List.of(), List.of());
    }

    private static synchronized void publishAndWait(RoutingTable table) {
        RoutingSnapshot s = SnapshotCodec.create(++version, Instant.now(), List.of(), table);
        publisher.publish(s);
        long v = s.version();
        Await.until("the node to apply version " + v, WAIT, () -> node.appliedVersion() >= v);
    }

    private static HttpResponse<String> get(String host, String... headers) {
        return Http.get(node.httpPort(), host, "/", headers);
    }

    @Test
    void aHashedRequestTargetKeepsItsEndpointWhenOneIsAddedUnlessItMovesToTheNewOne() {
        Map<String, String> before = new TreeMap<>();
        for (int k = 0; k < 200; k++) {
            String path = "/item/" + k + "?v=1";
            String first = backendOf(Http.get(node.httpPort(), "hash.test", path));
            assertEquals(first, backendOf(Http.get(node.httpPort(), "hash.test", path)), "the same target, the same endpoint");
            before.put(path, first);
        }
        publishAndWait(table(List.of(main1, main2, main3)));
        try {
            Map<String, Integer> changes = new TreeMap<>();
            before.forEach((path, was) -> {
                String now = backendOf(Http.get(node.httpPort(), "hash.test", path));
                changes.merge(now.equals(was) ? "kept" : was + " -> " + now, 1, Integer::sum);
            });
            int kept = changes.getOrDefault("kept", 0);
            changes.keySet().forEach(k -> assertTrue(k.equals("kept") || k.endsWith("-> main3"), "moved elsewhere: " + changes));
            assertTrue(kept >= 200 * 0.45 && kept <= 200 * 0.85, "about two thirds keep their endpoint: " + changes);
        } finally {
            publishAndWait(table(List.of(main1, main2)));
        }
    }

    @Test
    void ewmaSendsAlmostEverythingToTheFastEndpointOnceBothWereMeasured() throws Exception {
        // A backend answering after 200 ms beside a fast echo backend; round robin would give it half the requests.
        com.sun.net.httpserver.HttpServer slow = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 16);
        slow.createContext("/", ex -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.getResponseHeaders().add("X-Backend", "slow");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        slow.start();
        try {
            Backend pair = new Backend(Backend.idOf("c", "default", "pair", "80"), "c", "default", "pair", "80",
                    List.of(new Endpoint("127.0.0.1", main1.port()), new Endpoint("127.0.0.1", slow.getAddress().getPort())),
                    null);
            RoutingTable base = table(List.of(main1, main2));
            List<VirtualHost> hosts = new ArrayList<>(base.virtualHosts());
            hosts.add(new VirtualHost("ewma.test", List.of(route(pair, new Traffic(null,
                    new Traffic.Balancer(null, null, "ewma"), null)))));
            List<Backend> backends = new ArrayList<>(base.backends());
            backends.add(pair);
            publishAndWait(new RoutingTable(hosts, null, backends, List.of(), List.of()));
            int slowHits = 0;
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> r = get("ewma.test");
                assertEquals(200, r.statusCode());
                slowHits += backendOf(r).equals("slow") ? 1 : 0;
            }
            assertTrue(slowHits <= 5, slowHits + " of 50 requests went to the slow endpoint");
        } finally {
            slow.stop(0);
            publishAndWait(table(List.of(main1, main2)));
        }
    }

    @Test
    void upstreamVhostIsTheHostTheBackendGetsAndXForwardedHostKeepsTheClients() {
        String body = get("vhost.test").body();
        assertTrue(body.contains("header-host: web.internal:8080") && body.contains("header-x-forwarded-host: vhost.test"),
                body);
    }

    private static String backendOf(HttpResponse<?> r) {
        return r.headers().firstValue("X-Backend").orElse("none");
    }

    @Test
    void aCanaryWeightOf20GetsTwentyPercentOfTenThousandRequestsWithinTwoPoints() throws Exception {
        int requests = 10_000;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<int[]>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                parts.add(pool.submit(() -> {
                    int[] counts = new int[2];
                    for (int i = 0; i < requests / threads; i++) {
                        HttpResponse<String> r = get("split.test");
                        assertEquals(200, r.statusCode());
                        counts[backendOf(r).equals("next") ? 1 : 0]++;
                    }
                    return counts;
                }));
            }
            int canary = 0;
            int total = 0;
            for (Future<int[]> f : parts) {
                int[] c = f.get();
                canary += c[1];
                total += c[0] + c[1];
            }
            assertEquals(requests, total);
            double share = 100.0 * canary / total;
            assertTrue(Math.abs(share - 20.0) <= 2.0, "canary share " + share + "% of " + total + " requests, want 20 +- 2");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theHeaderDecidesBeforeTheCookieAndTheCookieBeforeTheWeight() {
        Map<String, String> seen = new TreeMap<>();
        for (int i = 0; i < 20; i++) {
            seen.merge("header always, cookie never", backendOf(get("split.test", "X-Canary", "always", "Cookie",
                    "canary=never")), (a, b) -> a.equals(b) ? a : a + "," + b);
            seen.merge("header never, cookie always", backendOf(get("split.test", "X-Canary", "never", "Cookie",
                    "canary=always")), (a, b) -> a.equals(b) ? a : a + "," + b);
            seen.merge("header other, cookie always", backendOf(get("split.test", "X-Canary", "maybe", "Cookie",
                    "a=1; canary=always")), (a, b) -> a.equals(b) ? a : a + "," + b);
            seen.merge("cookie never", backendOf(get("split.test", "Cookie", "canary=never")),
                    (a, b) -> a.equals(b) ? a : a + "," + b);
        }
        Map<String, String> mains = new TreeMap<>(seen);
        mains.replaceAll((k, v) -> v.replace("main1", "main").replace("main2", "main").replace("main,main", "main"));
        assertEquals(Map.of("header always, cookie never", "next", "header never, cookie always", "main",
                "header other, cookie always", "next", "cookie never", "main"), mains);
    }

    @Test
    void aSessionStaysOnItsEndpointForAHundredRequestsAndAcrossASnapshotThatKeepsIt() {
        HttpResponse<String> first = get("sticky.test");
        String setCookie = first.headers().firstValue("Set-Cookie").orElse(null);
        assertNotNull(setCookie, "a new session gets a cookie");
        assertTrue(setCookie.startsWith("INGRESSCOOKIE=") && setCookie.endsWith("; Path=/; HttpOnly")
                && !setCookie.contains("127.0.0.1"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String endpoint = backendOf(first);
        List<String> served = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = get("sticky.test", "Cookie", cookie);
            served.add(backendOf(r) + (r.headers().firstValue("Set-Cookie").isPresent() ? " (new cookie)" : ""));
        }
        assertEquals(java.util.Collections.nCopies(100, endpoint), served);

        publishAndWait(table(List.of(main3, main1, main2)));
        served.clear();
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = get("sticky.test", "Cookie", cookie);
            served.add(backendOf(r) + (r.headers().firstValue("Set-Cookie").isPresent() ? " (new cookie)" : ""));
        }
        assertEquals(java.util.Collections.nCopies(100, endpoint), served, "an endpoint added moves no session");

        EchoBackend kept = endpoint.equals("main1") ? main2 : main1;
        publishAndWait(table(List.of(kept, main3)));
        HttpResponse<String> moved = get("sticky.test", "Cookie", cookie);
        assertTrue(!backendOf(moved).equals(endpoint) && moved.headers().firstValue("Set-Cookie").isPresent(),
                "the session's endpoint is gone: another serves it with a new cookie, got " + backendOf(moved));
        publishAndWait(table(List.of(main1, main2)));
    }

    @Test
    void aSessionStartedOnTheCanaryOrTheMainBackendStaysThere() {
        Map<String, List<String>> sessions = new TreeMap<>();
        for (int s = 0; s < 10; s++) {
            HttpResponse<String> first = get("both.test");
            String cookie = first.headers().firstValue("Set-Cookie").map(c -> c.substring(0, c.indexOf(';'))).orElseThrow();
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String b = backendOf(get("both.test", "Cookie", cookie));
                if (!served.contains(b)) {
                    served.add(b);
                }
            }
            sessions.put("session " + s + " started on " + backendOf(first), served);
        }
        Map<String, List<String>> expected = new TreeMap<>();
        sessions.keySet().forEach(k -> expected.put(k, List.of(k.substring(k.lastIndexOf(' ') + 1))));
        assertEquals(expected, sessions);
    }
}
