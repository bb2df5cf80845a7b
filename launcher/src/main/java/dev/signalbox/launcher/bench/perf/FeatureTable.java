package dev.signalbox.launcher.bench.perf;

import dev.signalbox.launcher.manifests.Manifests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The manifests of {@link Target#SIGNALBOX_FEATURES}: the plain Ingress every target serves ({@link PerfCase#HOST} to
 * the backend, no annotation) beside {@code count} other Ingresses, each on a host of its own, that use every access
 * and header family issue 18 added to the request path: basic auth (an Opaque Secret, SHA1 htpasswd), auth-url,
 * CORS and a rate limit. The load goes to the plain route only, so whatever those families cost a request that does
 * not use them shows as the difference to {@link Target#SIGNALBOX_LOCAL}, whose table holds the plain route alone.
 * Pure.
 */
public final class FeatureTable {
    /** How many other Ingresses the table holds by default. */
    public static final int DEFAULT_COUNT = 300;

    private FeatureTable() {
    }

    /** All documents: the IngressClass, the backend's Service, the auth Secret, the plain Ingress and the others. */
    public static String manifests(Manifests m, int backendPort, int count) {
        List<String> docs = new ArrayList<>(List.of(Manifests.ingressClass(), m.service("perf-backend", backendPort),
                m.opaqueSecret("perf-users", Map.of("auth", "perf:{SHA}YvW7bS1K+9k=\n")),
                m.ingress("perf", PerfCase.HOST, "/", "perf-backend")));
        String n = "nginx.ingress.kubernetes.io/";
        for (int i = 0; i < count; i++) {
            docs.add(m.ingress("featured-" + i).className(Manifests.OUR_CLASS)
                    .rule(new Manifests.Rule("featured-" + i + ".perf", Manifests.prefix("/", "perf-backend")))
                    .annotation(n + "auth-type", "basic").annotation(n + "auth-secret", "perf-users")
                    .annotation(n + "auth-url", "http://127.0.0.1:" + backendPort + "/auth")
                    .annotation(n + "enable-cors", "true").annotation(n + "cors-allow-origin", "https://app.example")
                    .annotation(n + "limit-rps", "100").yaml());
        }
        return Manifests.documents(docs);
    }
}
