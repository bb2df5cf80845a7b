package dev.signalbox.e2e.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.manifests.Manifests.Rule;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.WebSocketEchoBackend;
import dev.signalbox.testing.WebSocketInbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket and server-sent events end to end, with Ingresses as a user writes them for ingress-nginx going through the
 * watcher, the compiler and a proxy (local mode, whose node read timeout is 60 s): the JDK's WebSocket client echoes
 * through an Ingress without annotations and its tunnel outlives a snapshot change made by editing the manifests; a
 * tunnel of an Ingress annotated {@code proxy-read-timeout: "2"} is closed after that much silence, well before the
 * node's 60 s; an event stream reaches the client.
 */
class StreamingIngressIT {
    private static final Manifests MANIFESTS = new Manifests("apps");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void webSocketsAndEventStreamsThroughWatcherCompilerAndProxy(@TempDir Path dir) throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (WebSocketEchoBackend ws = WebSocketEchoBackend.start(); EchoBackend events = EchoBackend.start("events")) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("services.yaml"), Manifests.documents(
                    MANIFESTS.service("chat", ws.port()), MANIFESTS.service("events", events.port())));
            // Without a host, so that the JDK's WebSocket client (which sends the URI's authority) is routed.
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    MANIFESTS.ingress("chat").className(Manifests.OUR_CLASS)
                            .rule(new Rule(null, Manifests.prefix("/chat", "chat"))).yaml(),
                    MANIFESTS.ingress("chat-short").className(Manifests.OUR_CLASS)
                            .annotation("nginx.ingress.kubernetes.io/proxy-read-timeout", "2")
                            .rule(new Rule(null, Manifests.prefix("/short", "chat"))).yaml(),
                    MANIFESTS.ingress("events").className(Manifests.OUR_CLASS)
                            .rule(new Rule(null, Manifests.prefix(EchoBackend.SSE_PATH, "events"))).yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode p = local.proxies().get(0);
                WebSocketInbox chat = new WebSocketInbox(WAIT);
                WebSocket w = Await.value("the chat Ingress to accept a WebSocket", WAIT,
                        () -> open(p, "/chat/room", chat), s -> s != null);
                List<String> sent = new ArrayList<>();
                List<String> echoed = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    if (i == 500) {
                        long before = p.appliedVersion();
                        Files.writeString(manifests.resolve("more.yaml"), MANIFESTS.ingress("more")
                                .className(Manifests.OUR_CLASS).rule(new Rule("more.local",
                                        Manifests.prefix("/", "events"))).yaml());
                        Await.until("the proxy to apply the edited manifests", WAIT, () -> p.appliedVersion() > before);
                    }
                    String m = "message " + i;
                    sent.add(m);
                    w.sendText(m, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    echoed.add(chat.next());
                }
                assertEquals(sent, echoed);
                w.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals("closed 1000", chat.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS));

                WebSocketInbox quiet = new WebSocketInbox(WAIT);
                WebSocket q = open(p, "/short/room", quiet);
                q.sendText("hello", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals("hello", quiet.next());
                // Silence: the route's 2 s close the tunnel long before the node's 60 s would.
                String how = quiet.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(how.startsWith("closed") || how.startsWith("failed"), how);

                HttpResponse<java.util.stream.Stream<String>> sse = CLIENT.send(HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + p.httpPort() + EchoBackend.SSE_PATH + "?events=5&interval=50"))
                        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofLines());
                assertEquals("200 text/event-stream", sse.statusCode() + " "
                        + sse.headers().firstValue("content-type").orElse("-"));
                assertEquals(5, sse.body().filter(l -> l.startsWith("data: ")).count());
            }
        }
    }

    /** A WebSocket to {@code path} through the proxy, or null when the handshake is refused (no route yet). */
    private static WebSocket open(ProxyNode p, String path, WebSocketInbox c) {
        try {
            return CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://127.0.0.1:" + p.httpPort() + path), c).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception refused) {
            return null;
        }
    }
}
