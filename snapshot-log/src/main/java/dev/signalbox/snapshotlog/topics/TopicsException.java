package dev.signalbox.snapshotlog.topics;

/** Why Signalbox's topics could not be checked or created, in a message that names what to do. */
public final class TopicsException extends RuntimeException {
    /** What went wrong, for the exit status: {@link #UNREACHABLE} is 3 on the command line, the others 1. */
    public enum Reason {
        /** No broker answered (or the client could not authenticate). */
        UNREACHABLE,
        /** Kafka refused: the principal may not describe or create the topic. */
        NOT_AUTHORISED,
        /** A topic is missing, or has a setting that would break Signalbox, or Kafka refused its settings. */
        NOT_READY
    }

    private final Reason reason;

    public TopicsException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
