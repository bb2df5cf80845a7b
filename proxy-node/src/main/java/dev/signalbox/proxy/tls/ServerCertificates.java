package dev.signalbox.proxy.tls;

import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The server certificates while the TLS set-up may still be running: until it is done, the latest
 * applied snapshot is kept and handed to the contexts when they arrive; then {@link #serving} completes,
 * and the HTTPS listener accepts. One lock orders the two paths, so the contexts never miss a snapshot
 * or get an older one after a newer.
 */
public final class ServerCertificates {
    private final CompletableFuture<TlsContexts> serving = new CompletableFuture<>();
    private TlsContexts contexts;
    private RoutingSnapshot pending;

    /** Completes when the contexts are ready, with them; the HTTPS listener accepts from then on. */
    public CompletableFuture<TlsContexts> serving() {
        return serving;
    }

    public synchronized void update(RoutingSnapshot s) {
        if (contexts != null) {
            contexts.update(s);
        } else {
            pending = s;
        }
    }

    public void ready(TlsContexts c) {
        synchronized (this) {
            if (pending != null) {
                c.update(pending);
                pending = null;
            }
            contexts = c;
        }
        serving.complete(c);
    }

    public void failed(Throwable e) {
        serving.completeExceptionally(e);
    }

    public synchronized List<String> unusable() {
        return contexts == null ? List.of() : contexts.unusable();
    }
}
