package dev.signalbox.schemas.event;

/**
 * An object the watcher saw but could not publish whole (today: its event would exceed the record limit).
 * It stands in for the object's state so that routing drops the object instead of silently keeping an
 * older state, and the compiler reports it as a diagnostic on the object.
 *
 * @param objectKind the kind of the object; equals the event's kind
 * @param reason     why it was not published, for the diagnostic
 */
public record RejectedState(Kind objectKind, String reason) implements ObjectState {
    @Override
    public Kind kind() {
        return objectKind;
    }
}
