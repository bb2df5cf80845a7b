package dev.signalbox.watcher.model;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.ObjectKey;
import java.time.Instant;

/** An event to publish, before it is stamped with the time and the leader epoch. */
public sealed interface Change {
    ObjectKey key();

    ClusterEvent toEvent(Instant observedAt, long leaderEpoch);

    /** The object exists with this state and the log does not say so yet. */
    record Upsert(Observed object) implements Change {
        @Override
        public ObjectKey key() {
            return object.key();
        }

        @Override
        public ClusterEvent toEvent(Instant observedAt, long leaderEpoch) {
            return ClusterEvent.upsert(object.key(), object.uid(), object.resourceVersion(), observedAt, leaderEpoch,
                    object.state());
        }
    }

    /** The log says the object lives, but it is gone. */
    record Delete(ObjectKey key, String uid, String resourceVersion) implements Change {
        @Override
        public ClusterEvent toEvent(Instant observedAt, long leaderEpoch) {
            return ClusterEvent.delete(key, uid, resourceVersion, observedAt, leaderEpoch);
        }
    }
}
