package dev.signalbox.compiler.model;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import java.time.Instant;

/** The latest known state of one object, as the last UPSERT event for its key carried it. */
public record StoredObject(ObjectKey key, String uid, String resourceVersion, Instant observedAt, ObjectState state) {
}
