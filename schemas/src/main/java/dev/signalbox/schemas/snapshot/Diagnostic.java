package dev.signalbox.schemas.snapshot;

/**
 * Something Signalbox did not accept in one object. It never stops the other objects from compiling.
 *
 * @param kind    the Kubernetes kind of the object the diagnostic is about, or {@link #CLUSTER_KIND}
 * @param message a sentence a user can act on
 */
public record Diagnostic(String cluster, String kind, String namespace, String name, Severity severity, String message) {
    /**
     * The kind of a diagnostic about a whole cluster rather than one of its objects (its name is the cluster
     * id): the watcher writes, but the end of its initial list is not in the events log (issue 21).
     */
    public static final String CLUSTER_KIND = "Cluster";

    public enum Severity {
        WARNING,
        ERROR
    }
}
