package dev.signalbox.schemas.event;

/** What happened to an object: it now has the carried state, or it no longer exists. */
public enum Op {
    UPSERT,
    DELETE
}
