package dev.signalbox.watcher.k8s;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.watcher.convert.StateConverter;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every Ingress of a cluster, listed once (no informer, no watch) and converted as the watcher converts
 * it: what {@code bin/ingress migrate --kubeconfig} reviews. Here because fabric8 lives in this module only.
 * The caller's thread.
 */
public final class ClusterIngresses {
    private ClusterIngresses() {
    }

    /** Lists with the cluster and credentials of {@code kubeconfig} (its current context). */
    public static List<Observed> list(Path kubeconfig, String clusterId) throws IOException {
        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        // A question asked once: an unreachable cluster is an answer after one retry, not after fabric8's ten
        // (about 20 s of back-off).
        config.setRequestRetryBackoffLimit(1);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            return list(client, clusterId);
        }
    }

    /** Every namespace's Ingresses (networking.k8s.io/v1), by key. */
    public static List<Observed> list(KubernetesClient client, String clusterId) {
        List<Ingress> items = client.network().v1().ingresses().inAnyNamespace().list().getItems();
        return items.stream()
                .map(i -> StateConverter.convert(clusterId, i, KeyRing.empty()))
                .flatMap(Optional::stream)
                .sorted(java.util.Comparator.comparing(Observed::key))
                .toList();
    }
}
