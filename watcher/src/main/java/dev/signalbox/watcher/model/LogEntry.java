package dev.signalbox.watcher.model;

import dev.signalbox.schemas.event.ObjectState;

/**
 * What the events topic last says about one key: the resourceVersion and uid of the last event and
 * whether it was a DELETE. The state is kept so that a live update equal to it is recognised as a no-op.
 */
public record LogEntry(String resourceVersion, String uid, boolean deleted, ObjectState state) {
    public static LogEntry live(Observed o) {
        return new LogEntry(o.resourceVersion(), o.uid(), false, o.state());
    }

    public static LogEntry tombstone(String resourceVersion, String uid) {
        return new LogEntry(resourceVersion, uid, true, null);
    }
}
