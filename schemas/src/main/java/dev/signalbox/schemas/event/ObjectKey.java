package dev.signalbox.schemas.event;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of one object in one cluster. Its string form {@code cluster/Kind/namespace/name} is the
 * Kafka record key of every event about the object (namespace is empty for cluster-scoped kinds).
 */
public record ObjectKey(String clusterId, Kind kind, String namespace, String name) implements Comparable<ObjectKey> {
    private static final Comparator<ObjectKey> ORDER = Comparator.comparing(ObjectKey::clusterId)
            .thenComparing(ObjectKey::kind)
            .thenComparing(ObjectKey::namespace)
            .thenComparing(ObjectKey::name);

    public ObjectKey {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(kind, "kind");
        namespace = namespace == null ? "" : namespace;
        Objects.requireNonNull(name, "name");
        if (clusterId.contains("/")) {
            throw new IllegalArgumentException("cluster id must not contain '/': " + clusterId);
        }
    }

    public String recordKey() {
        return clusterId + "/" + kind.apiName() + "/" + namespace + "/" + name;
    }

    public static ObjectKey parse(String recordKey) {
        String[] parts = recordKey.split("/", 4);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not a cluster/kind/namespace/name key: " + recordKey);
        }
        return new ObjectKey(parts[0], Kind.fromApiName(parts[1]), parts[2], parts[3]);
    }

    /** namespace/name, or just name for cluster-scoped objects. */
    public String shortName() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public int compareTo(ObjectKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return recordKey();
    }
}
