package dev.signalbox.watcher;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's CRUD mock API server (as {@code @EnableKubernetesMockClient(crud = true)} builds it) with a tap on one
 * collection: it counts the collection's lists and watches, and {@link #expireAfter} ends the watch streams open on
 * it as kube-apiserver ends a watch that fell behind: the changes made meanwhile never reach the stream, then comes
 * the {@code ERROR} event with a 410 Gone {@code Status} ("too old resource version", reason Expired). The mock never
 * sends one itself, so without this no informer ever relists. Everything else is the CRUD mock's own answer.
 *
 * <p>Shared with e2e (the watcher's test jar): KubernetesRelistIT runs the whole pipeline through a relist.
 */
public final class ExpiringWatches extends Dispatcher implements AutoCloseable {
    private final KubernetesMixedDispatcher crud;
    private final KubernetesMockServer server;
    private final String collection;
    private final AtomicInteger lists = new AtomicInteger();
    private final AtomicInteger watches = new AtomicInteger();
    private final Set<Tapped> open = ConcurrentHashMap.newKeySet();

    /** @param collection the collection's path, for example {@code /apis/networking.k8s.io/v1/namespaces/ns/ingresses} */
    private ExpiringWatches(String collection) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        this.collection = collection;
        this.crud = new KubernetesMixedDispatcher(responses);
        this.server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses, this, false);
    }

    /**
     * A started mock API server (a free port) tapping the Ingresses of {@code namespace}, or with null those of all
     * namespaces (what an informer of every namespace lists and watches).
     */
    public static ExpiringWatches ingressesOf(String namespace) {
        ExpiringWatches w = new ExpiringWatches("/apis/networking.k8s.io/v1/" + (namespace == null ? "" : "namespaces/" + namespace + "/")
                + "ingresses");
        w.server.init();
        return w;
    }

    /** A client of this server, configured as the mock extension configures its own. */
    public NamespacedKubernetesClient client() {
        return server.createClient();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        MockResponse response = crud.dispatch(request);
        String path = request.getPath();
        int q = path.indexOf('?');
        if (!"GET".equals(request.getMethod()) || !(q < 0 ? path : path.substring(0, q)).equals(collection)) {
            return response;
        }
        if (q < 0 || !path.substring(q + 1).contains("watch=true")) {
            lists.incrementAndGet();
            return response;
        }
        watches.incrementAndGet();
        return response.withWebSocketUpgrade(new Tapped(response.getWebSocketListener()));
    }

    /**
     * Mutes the watch streams open on the collection, runs {@code missed} (changes those streams will not deliver),
     * then sends each the 410 Gone {@code ERROR} event.
     *
     * @return how many streams it was sent to
     */
    public int expireAfter(Runnable missed) {
        List<Tapped> expiring = List.copyOf(open);
        expiring.forEach(t -> t.muted = true);
        missed.run();
        String event = Serialization.asJson(new WatchEvent(new StatusBuilder().withStatus("Failure").withCode(410)
                .withReason("Expired").withMessage("too old resource version").build(), "ERROR"));
        int sent = 0;
        for (Tapped t : expiring) {
            if (t.socket.send(event)) {
                sent++;
            }
        }
        return sent;
    }

    /** GET requests that listed the collection (an informer's first list and each relist). */
    public int lists() {
        return lists.get();
    }

    /** GET requests that watched the collection. */
    public int watches() {
        return watches.get();
    }

    /** Watch streams open on the collection now. */
    public int openWatches() {
        return open.size();
    }

    @Override
    public void shutdown() {
        crud.shutdown();
    }

    @Override
    public void releaseResources() {
        crud.releaseResources();
    }

    @Override
    public void close() {
        server.destroy();
    }

    /**
     * The CRUD mock's watch, remembered while it is open; the mock writes to it through {@link #mutable}, which drops
     * what the mock sends once the stream is muted.
     */
    private final class Tapped extends WebSocketListener {
        private final WebSocketListener watch;
        private volatile boolean muted;
        private volatile WebSocket socket;
        private volatile WebSocket mutable;

        Tapped(WebSocketListener watch) {
            this.watch = watch;
        }

        private synchronized WebSocket mutable(WebSocket ws) {
            if (socket != ws) {
                socket = ws;
                mutable = new WebSocket() {
                    @Override
                    public RecordedRequest request() {
                        return ws.request();
                    }

                    @Override
                    public boolean send(String text) {
                        return muted || ws.send(text);
                    }

                    @Override
                    public boolean send(byte[] bytes) {
                        return muted || ws.send(bytes);
                    }

                    @Override
                    public boolean close(int code, String reason) {
                        return ws.close(code, reason);
                    }
                };
            }
            return mutable;
        }

        @Override
        public void onBeforeAccept(WebSocket ws, Response response) {
            watch.onBeforeAccept(mutable(ws), response);
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            watch.onOpen(mutable(ws), response);
            open.add(this);
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            watch.onMessage(mutable(ws), text);
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            watch.onMessage(mutable(ws), bytes);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            watch.onMessage(mutable(ws), bytes);
        }

        @Override
        public void onPing(WebSocket ws, byte[] bytes) {
            watch.onPing(mutable(ws), bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            open.remove(this);
            watch.onClosing(mutable(ws), code, reason);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            open.remove(this);
            watch.onClosed(mutable(ws), code, reason);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            open.remove(this);
            watch.onFailure(mutable(ws), t, response);
        }
    }
}
