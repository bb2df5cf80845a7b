package dev.signalbox.schemas.topics;

/** How much a topic's difference from what Signalbox creates matters. */
public enum Severity {
    /** Signalbox would lose data or stop working: a component refuses to start, {@code topics check} exits 1. */
    BREAKS,
    /** Works, but not as Signalbox would have created it (durability, history, spread): reported only. */
    DIFFERS
}
