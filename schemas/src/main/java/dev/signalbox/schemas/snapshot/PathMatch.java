package dev.signalbox.schemas.snapshot;

/**
 * How a route's path is compared with the request path (Ingress v1 pathType).
 * ImplementationSpecific is compiled to {@link #PREFIX}.
 */
public enum PathMatch {
    /** The request path equals the route path, case-sensitively. */
    EXACT,
    /** The route path is a prefix of the request path element by element, split on '/'. */
    PREFIX
}
