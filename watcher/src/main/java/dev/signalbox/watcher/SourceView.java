package dev.signalbox.watcher;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.watcher.model.Observed;
import java.util.Map;
import java.util.Optional;

/** What a source (informer caches or a manifests directory) currently holds. Thread-safe reads. */
public interface SourceView {
    /** Every routed object, once the source has its initial state (blocks until then). */
    Map<ObjectKey, Observed> snapshot();

    Optional<Observed> get(ObjectKey key);
}
