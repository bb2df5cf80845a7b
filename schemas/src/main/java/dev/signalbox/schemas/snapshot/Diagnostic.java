package dev.signalbox.schemas.snapshot;

/**
 * Something Signalbox did not accept in one object. It never stops the other objects from compiling.
 *
 * @param kind    the Kubernetes kind of the object the diagnostic is about
 * @param message a sentence a user can act on
 */
public record Diagnostic(String cluster, String kind, String namespace, String name, Severity severity, String message) {
    public enum Severity {
        WARNING,
        ERROR
    }
}
