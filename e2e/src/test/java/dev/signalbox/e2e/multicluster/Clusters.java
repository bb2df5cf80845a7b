package dev.signalbox.e2e.multicluster;

import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.routing.Locality;
import dev.signalbox.testing.Http;
import java.time.Duration;

/** What the multi-cluster tests share: a proxy located in a cluster, and which backend answered web.test. */
final class Clusters {
    private Clusters() {
    }

    /** A proxy in {@code cluster} (no zone) that prefers its own cluster's endpoints. */
    static ProxyNode proxyIn(String bootstrap, String cluster) {
        return ProxyNode.start(new ProxyConfig(bootstrap, "proxy-" + cluster, "127.0.0.1", 0, 0, Duration.ofSeconds(2),
                Duration.ofSeconds(30)).withLocality(new Locality(cluster, null, Locality.Policy.PREFER_LOCAL)));
    }

    /** The backend that answered web.test (its X-Backend header), or the status when it was not a 200. */
    static String backendOf(ProxyNode p) {
        var r = Http.tryGet(p.httpPort(), "web.test", "/");
        if (r == null) {
            return "no answer";
        }
        return r.statusCode() == 200 ? r.headers().firstValue("X-Backend").orElse("?") : "status " + r.statusCode();
    }
}
