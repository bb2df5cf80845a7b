package dev.signalbox.schemas.snapshot;

/**
 * How a route's path is compared with the request path (Ingress v1 pathType).
 * ImplementationSpecific is compiled to {@link #PREFIX}.
 */
public enum PathMatch {
    /** The request path equals the route path, case-sensitively. */
    EXACT,
    /** The route path is a prefix of the request path element by element, split on '/'. */
    PREFIX,
    /**
     * The route path is a regular expression (RE2 syntax, matched in linear time) that must match a beginning of
     * the request path, without case: ingress-nginx's {@code location ~* "^path"}, which every path of a host
     * becomes once one Ingress of that host sets {@code use-regex} or {@code rewrite-target}.
     */
    REGEX
}
