package dev.signalbox.routing.audit;

import java.time.Instant;

/**
 * One event that caused a version (or last changed a route): the object, what happened to it, and where the
 * event is in the events log.
 *
 * @param op         UPSERT or DELETE
 * @param offset     the event's offset in {@code partition} of the events topic
 * @param observedAt when the watcher observed the change
 */
public record Cause(String cluster, String kind, String namespace, String name, String op, int partition, long offset,
                    Instant observedAt) {
}
