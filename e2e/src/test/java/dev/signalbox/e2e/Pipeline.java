package dev.signalbox.e2e;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.Http;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline in the test's JVM against a broker the test owns (so that it can stop, kill or restart it):
 * the compiler, N proxy nodes on free ports of 127.0.0.1, and the watcher of a manifests directory, started
 * in that order and closed in reverse. Local mode does the same with a broker of its own; the fault
 * scenarios need theirs outside. Used from the test's thread.
 */
public final class Pipeline implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<ProxyNode> proxies = new ArrayList<>();
    private Watcher watcher;

    private Pipeline() {
    }

    /** Starts the pipeline; the manifests should be in place, the watcher publishes them at once. */
    public static Pipeline start(String bootstrap, String clusterId, Path manifests, int proxyCount) {
        Pipeline p = new Pipeline();
        try {
            p.started.add(Compiler.start(CompilerConfig.defaults(bootstrap)));
            for (int i = 1; i <= proxyCount; i++) {
                ProxyNode node = proxy(bootstrap, "p" + i);
                p.proxies.add(node);
                p.started.add(node);
            }
            p.watcher = Watcher.startManifests(WatcherConfig.defaults(bootstrap, clusterId).withManifestsDir(manifests));
            p.started.add(p.watcher);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** A proxy node as the end-to-end tests run one: HTTP and admin on free ports, 2 s connect, 30 s response. */
    public static ProxyNode proxy(String bootstrap, String id) {
        return ProxyNode.start(new ProxyConfig(bootstrap, id, "127.0.0.1", 0, 0, Duration.ofSeconds(2), Duration.ofSeconds(30)));
    }

    public Watcher watcher() {
        return watcher;
    }

    public List<ProxyNode> proxies() {
        return List.copyOf(proxies);
    }

    /** True when {@code p} answers GET / for {@code host} with 200. */
    public static boolean served(ProxyNode p, String host) {
        HttpResponse<String> r = Http.tryGet(p.httpPort(), host, "/");
        return r != null && r.statusCode() == 200;
    }

    /** Waits until {@code p} serves {@code host}. */
    public static void awaitServed(ProxyNode p, String host, Duration wait) {
        Await.until(host + " served by proxy " + p.httpPort(), wait, () -> served(p, host));
    }

    /** Waits until every proxy serves {@code host}. */
    public void awaitServed(String host, Duration wait) {
        for (ProxyNode p : proxies) {
            awaitServed(p, host, wait);
        }
    }

    /** Stops everything, the watcher first; the first failure is rethrown once all were closed. */
    @Override
    public void close() {
        IllegalStateException failure = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("cannot stop " + started.get(i), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
