package dev.signalbox.schemas;

/**
 * The names of the pipeline's topics. What each topic needs (partitions, settings) and how an existing one
 * is checked is in {@link dev.signalbox.schemas.topics.TopicRequirements}; deploy/k8s/70-topics.yaml mirrors
 * it for clusters managed by Strimzi.
 */
public final class Topics {
    public static final String EVENTS = "signalbox.events";
    public static final String SNAPSHOTS = "signalbox.snapshots";
    public static final String COMPILER_MODEL = "signalbox.compiler.model";
    /** The compilers' lease: which of the running compilers is the active one (the others stand by). */
    public static final String COMPILER_LEASE = "signalbox.compiler.lease";
    public static final String PROXY_ACKS = "signalbox.proxy.acks";

    private Topics() {
    }
}
