package dev.signalbox.watcher.k8s;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.watcher.SourceView;
import dev.signalbox.watcher.convert.ReferencedObjects;
import dev.signalbox.watcher.convert.StateConverter;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * fabric8 informers on the routed kinds (ServiceExports only when the API server serves them), running on every watcher (leader or not) so that a new
 * leader has warm caches. Handlers only signal the keys that changed; the reader takes the current state
 * from the cache. Handlers run on fabric8's informer threads (one serial executor per informer).
 *
 * <p>What one signal holds is one source change: a watch event is the change of one object (the API has no
 * multi-object write), and a list (the initial one, or a relist after the watch expired) is one change of
 * every key it touched, collected between fabric8's {@code onBeforeList} and {@code onList}.
 */
public final class InformerCaches implements SourceView, CachedObjects, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InformerCaches.class);
    private final String clusterId;
    private final KeyRing keys;
    private final boolean serviceExports;
    private final Map<Kind, List<SharedIndexInformer<? extends HasMetadata>>> informers = new EnumMap<>(Kind.class);
    private volatile Consumer<Kind> onRelist = k -> { };

    /**
     * @param namespaces empty = all namespaces; IngressClasses are cluster-scoped and always watched whole
     * @param onChange   called with the keys of one change: one watch event's object, or all of a list's
     */
    public InformerCaches(KubernetesClient client, String clusterId, List<String> namespaces, KeyRing keys,
                          Consumer<List<ObjectKey>> onChange) {
        this.clusterId = clusterId;
        this.keys = keys;
        List<String> scopes = namespaces.isEmpty() ? java.util.Collections.singletonList(null) : namespaces;
        for (String ns : scopes) {
            add(Kind.INGRESS, onChange, ns, n -> n == null ? client.network().v1().ingresses().inAnyNamespace().runnableInformer(0)
                    : client.network().v1().ingresses().inNamespace(n).runnableInformer(0));
            add(Kind.SERVICE, onChange, ns, n -> n == null ? client.services().inAnyNamespace().runnableInformer(0)
                    : client.services().inNamespace(n).runnableInformer(0));
            add(Kind.ENDPOINT_SLICE, onChange, ns, n -> n == null ? client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0)
                    : client.discovery().v1().endpointSlices().inNamespace(n).runnableInformer(0));
            // Only TLS Secrets, and the Opaque ones an Ingress names for basic auth, matter; the API server honours
            // these field selectors (the converter and ReferencedObjects filter too), so Helm releases, service account
            // tokens and other types are never even cached here.
            for (String type : List.of(StateConverter.TLS_SECRET_TYPE, StateConverter.OPAQUE_SECRET_TYPE)) {
                add(Kind.SECRET, onChange, ns, n -> n == null
                        ? client.secrets().inAnyNamespace().withField("type", type).runnableInformer(0)
                        : client.secrets().inNamespace(n).withField("type", type).runnableInformer(0));
            }
            // ConfigMaps have no field that tells the ones Ingresses name: all are cached, only named ones published.
            add(Kind.CONFIG_MAP, onChange, ns, n -> n == null ? client.configMaps().inAnyNamespace().runnableInformer(0)
                    : client.configMaps().inNamespace(n).runnableInformer(0));
        }
        add(Kind.INGRESS_CLASS, onChange, null, n -> client.network().v1().ingressClasses().runnableInformer(0));
        for (SharedIndexInformer<? extends HasMetadata> i : informers.get(Kind.INGRESS)) {
            @SuppressWarnings("unchecked")
            SharedIndexInformer<Ingress> ingresses = (SharedIndexInformer<Ingress>) i;
            ingresses.addIndexers(Map.of(REFERENCE_INDEX, ing -> ReferencedObjects.referencedBy(clusterId, ing).stream()
                    .map(InformerCaches::referenceKey).toList()));
        }
        serviceExports = serviceExportsServed(client);
        if (serviceExports) {
            for (String ns : scopes) {
                add(Kind.SERVICE_EXPORT, onChange, ns, n -> n == null
                        ? client.genericKubernetesResources(SERVICE_EXPORT_VERSION, StateConverter.SERVICE_EXPORT_KIND).inAnyNamespace().runnableInformer(0)
                        : client.genericKubernetesResources(SERVICE_EXPORT_VERSION, StateConverter.SERVICE_EXPORT_KIND).inNamespace(n).runnableInformer(0));
            }
        } else {
            LOG.info("cluster {}: the API server does not serve {} ServiceExports (the Multi-Cluster Services CRD is not"
                    + " installed): no Service of this cluster is exported; restart the watcher after installing it",
                    clusterId, SERVICE_EXPORT_VERSION);
        }
    }

    /**
     * Ingresses by the "Kind/namespace/name" of the Secret they name for basic authentication and the ConfigMaps they
     * name for header fields.
     */
    private static final String REFERENCE_INDEX = "signalbox.referenced";

    private static String referenceKey(ObjectKey k) {
        return k.kind().apiName() + "/" + k.namespace() + "/" + k.name();
    }

    /**
     * Whether {@code o} is published: any object but an Opaque Secret or a ConfigMap, which only while an Ingress names
     * it (ReferencedObjects).
     */
    private boolean published(HasMetadata o) {
        Kind kind;
        if (o instanceof io.fabric8.kubernetes.api.model.Secret s && StateConverter.isOpaque(s)) {
            kind = Kind.SECRET;
        } else if (o instanceof io.fabric8.kubernetes.api.model.ConfigMap) {
            kind = Kind.CONFIG_MAP;
        } else {
            return true;
        }
        String ref = kind.apiName() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
        for (SharedIndexInformer<? extends HasMetadata> i : informers.getOrDefault(Kind.INGRESS, List.of())) {
            if (!i.getIndexer().byIndex(REFERENCE_INDEX, ref).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The version of multicluster.x-k8s.io whose ServiceExports are watched (the only one KEP-1645 defines). */
    static final String SERVICE_EXPORT_VERSION = StateConverter.MCS_GROUP + "/v1alpha1";

    /**
     * Whether the API server serves ServiceExports, asked through API discovery (no RBAC needed, unlike reading
     * the CRD): an informer on a resource the server does not serve would fail its list forever and never sync.
     */
    static boolean serviceExportsServed(KubernetesClient client) {
        try {
            var resources = client.getApiResources(SERVICE_EXPORT_VERSION);
            return resources != null && resources.getResources() != null && resources.getResources().stream()
                    .anyMatch(r -> "serviceexports".equals(r.getName()));
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            return false;
        }
    }

    /** True when ServiceExports are watched (the CRD was served when this watcher started). */
    public boolean watchesServiceExports() {
        return serviceExports;
    }

    private <T extends HasMetadata> void add(Kind kind, Consumer<List<ObjectKey>> onChange, String ns,
                                             Function<String, SharedIndexInformer<T>> create) {
        SharedIndexInformer<T> informer = create.apply(ns);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            /** Between onBeforeList and onList: the keys of the list under way, signalled as one change at its end. */
            private List<ObjectKey> listing;
            /** Whether the list under way follows an earlier one: the watch expired (410 Gone) or failed. */
            private boolean relisting;

            /**
             * fabric8 calls this once per list-and-watch cycle (a list retried after a failed attempt is the same cycle)
             * with the resourceVersion of the last list or watch event, null only before the informer's first list.
             */
            @Override
            public void onBeforeList(String lastSyncResourceVersion) {
                relisting = lastSyncResourceVersion != null;
                listing = new ArrayList<>();
            }

            /** A relist is counted once it completed. fabric8's boolean says the cache stayed empty, not that this is a relist. */
            @Override
            public void onList(String resourceVersion, boolean remainedEmpty) {
                if (relisting) {
                    relisting = false;
                    onRelist.accept(kind);
                }
                List<ObjectKey> keys = listing;
                listing = null;
                if (keys != null && !keys.isEmpty()) {
                    onChange.accept(List.copyOf(keys));
                }
            }

            @Override
            public void onAdd(T obj) {
                signal(key(kind, obj), null, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                signal(key(kind, newObj), oldObj, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                signal(key(kind, obj), obj, null);
            }

            /**
             * The object's key, with, for an Ingress, the auth Secrets and ConfigMaps it named before and names now: one change, so a
             * Secret starts (or stops) being published in the same transaction as the Ingress that names it.
             */
            private void signal(ObjectKey key, T before, T after) {
                List<ObjectKey> keys = new ArrayList<>(List.of(key));
                for (T o : java.util.Arrays.asList(before, after)) {
                    if (o instanceof Ingress ing) {
                        ReferencedObjects.referencedBy(clusterId, ing).stream().filter(k -> !keys.contains(k)).forEach(keys::add);
                    }
                }
                if (listing != null) {
                    listing.addAll(keys);
                } else {
                    onChange.accept(List.copyOf(keys));
                }
            }
        });
        informers.computeIfAbsent(kind, k -> new ArrayList<>()).add(informer);
    }

    private ObjectKey key(Kind kind, HasMetadata o) {
        String ns = kind == Kind.INGRESS_CLASS || o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace();
        return new ObjectKey(clusterId, kind, ns, o.getMetadata().getName());
    }

    /**
     * {@code counter} is told of every list an informer completes after its first (its watch expired with 410 Gone or
     * failed, and fabric8 listed again); set before {@link #start()}.
     */
    public void onRelist(Consumer<Kind> counter) {
        this.onRelist = counter;
    }

    /** True once every informer has listed its objects once. */
    public boolean synced() {
        return informers.values().stream().allMatch(l -> l.stream().allMatch(SharedIndexInformer::hasSynced));
    }

    /** Starts every informer; they list, then watch, in the background. */
    public void start() {
        informers.values().forEach(l -> l.forEach(SharedIndexInformer::start));
    }

    @Override
    public Map<ObjectKey, Observed> snapshot() {
        awaitSynced();
        Map<ObjectKey, Observed> out = new HashMap<>();
        informers.values().forEach(l -> l.forEach(i -> i.getStore().list().stream().filter(this::published).forEach(o ->
                StateConverter.convert(clusterId, o, keys).ifPresent(c -> out.put(c.key(), c)))));
        return out;
    }

    @Override
    public Optional<Observed> get(ObjectKey key) {
        String storeKey = key.namespace().isEmpty() ? key.name() : key.namespace() + "/" + key.name();
        for (SharedIndexInformer<? extends HasMetadata> i : informers.getOrDefault(key.kind(), List.of())) {
            HasMetadata o = i.getStore().getByKey(storeKey);
            if (o != null) {
                return published(o) ? StateConverter.convert(clusterId, o, keys) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<HasMetadata> object(Kind kind, String namespace, String name) {
        String storeKey = namespace.isEmpty() ? name : namespace + "/" + name;
        for (SharedIndexInformer<? extends HasMetadata> i : informers.getOrDefault(kind, List.of())) {
            HasMetadata o = i.getStore().getByKey(storeKey);
            if (o != null) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** Informers that have not listed yet contribute nothing. */
    @Override
    public List<Ingress> ingresses() {
        List<Ingress> out = new ArrayList<>();
        informers.getOrDefault(Kind.INGRESS, List.of()).forEach(i -> i.getStore().list().forEach(o -> out.add((Ingress) o)));
        return out;
    }

    private void awaitSynced() {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        informers.values().forEach(l -> l.forEach(i -> started.add(i.start().toCompletableFuture())));
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the informers to sync", e);
        } catch (Exception e) {
            throw new IllegalStateException("informers did not sync: " + e, e);
        }
    }

    @Override
    public void close() {
        informers.values().forEach(l -> l.forEach(SharedIndexInformer::close));
    }
}
