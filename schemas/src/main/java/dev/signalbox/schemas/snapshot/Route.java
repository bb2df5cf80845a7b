package dev.signalbox.schemas.snapshot;

/**
 * One path of a virtual host.
 *
 * @param backend the {@link Backend#id()} it sends to
 * @param source  the Ingress it came from, as cluster/namespace/name
 */
public record Route(String path, PathMatch match, String backend, String source) {
}
