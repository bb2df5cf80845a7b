package dev.signalbox.watcher.model;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import java.util.Objects;

/**
 * One object as a source currently sees it, already reduced to what routing needs.
 *
 * @param uid             metadata.uid (the manifests source derives one when absent)
 * @param resourceVersion metadata.resourceVersion (the manifests source uses a content hash)
 */
public record Observed(ObjectKey key, String uid, String resourceVersion, ObjectState state) {
    public Observed {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(state, "state");
    }
}
