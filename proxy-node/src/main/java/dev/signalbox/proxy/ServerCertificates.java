package dev.signalbox.proxy;

import dev.signalbox.proxy.netty.TlsContexts;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The server certificates while the TLS set-up may still be running: until it is done, the latest
 * applied snapshot is kept and handed to the contexts when they arrive; then {@link #serving} completes,
 * and the HTTPS listener accepts. One lock orders the two paths, so the contexts never miss a snapshot
 * or get an older one after a newer.
 */
final class ServerCertificates {
    final CompletableFuture<TlsContexts> serving = new CompletableFuture<>();
    private TlsContexts contexts;
    private RoutingSnapshot pending;

    synchronized void update(RoutingSnapshot s) {
        if (contexts != null) {
            contexts.update(s);
        } else {
            pending = s;
        }
    }

    void ready(TlsContexts c) {
        synchronized (this) {
            if (pending != null) {
                c.update(pending);
                pending = null;
            }
            contexts = c;
        }
        serving.complete(c);
    }

    void failed(Throwable e) {
        serving.completeExceptionally(e);
    }

    synchronized List<String> unusable() {
        return contexts == null ? List.of() : contexts.unusable();
    }
}
