package dev.signalbox.watcher.k8s;

import dev.signalbox.watcher.status.LbAddress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Service whose {@code status.loadBalancer.ingress} Signalbox copies to its Ingresses
 * ({@code --publish-service}), watched on its own informer (its namespace need not be a watched one) so
 * a new load-balancer address re-applies. Handlers run on fabric8's informer thread.
 */
public final class PublishedService implements Supplier<Optional<List<LbAddress>>>, AutoCloseable {
    private final SharedIndexInformer<Service> informer;
    private final String namespace;
    private final String name;

    /** @param onChange called whenever the Service is added, updated or deleted */
    public PublishedService(KubernetesClient client, String namespace, String name, Runnable onChange) {
        this.namespace = namespace;
        this.name = name;
        this.informer = client.services().inNamespace(namespace).withName(name).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service obj) {
                onChange.run();
            }

            @Override
            public void onUpdate(Service oldObj, Service newObj) {
                onChange.run();
            }

            @Override
            public void onDelete(Service obj, boolean deletedFinalStateUnknown) {
                onChange.run();
            }
        });
    }

    public void start() {
        informer.start();
    }

    /** The Service's load-balancer addresses; empty until the informer listed (unknown is not "none"). */
    @Override
    public Optional<List<LbAddress>> get() {
        if (!informer.hasSynced()) {
            return Optional.empty();
        }
        Service s = informer.getStore().getByKey(namespace + "/" + name);
        if (s == null || s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null) {
            return Optional.of(List.of());
        }
        return Optional.of(s.getStatus().getLoadBalancer().getIngress().stream()
                .filter(a -> a.getIp() != null || a.getHostname() != null)
                .map(PublishedService::address)
                .toList());
    }

    private static LbAddress address(LoadBalancerIngress a) {
        return a.getIp() != null ? new LbAddress(a.getIp(), null) : new LbAddress(null, a.getHostname());
    }

    @Override
    public void close() {
        informer.close();
    }
}
