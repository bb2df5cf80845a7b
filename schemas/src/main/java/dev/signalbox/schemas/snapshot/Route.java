package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * One path of a virtual host.
 *
 * @param backend       the {@link Backend#id()} it sends to
 * @param source        the Ingress it came from, as cluster/namespace/name
 * @param httpsRedirect plain-HTTP requests get a 308 to HTTPS instead of being proxied: the Ingress lists
 *                      this host under spec.tls and does not set {@code signalbox.dev/ssl-redirect: "false"}
 *                      (ingress-nginx's default; an additive field, absent in older records: false)
 */
public record Route(String path, PathMatch match, String backend, String source, boolean httpsRedirect) {

    @JsonCreator
    public Route {
    }

    /** A route served over plain HTTP too. */
    public Route(String path, PathMatch match, String backend, String source) {
        this(path, match, backend, source, false);
    }
}
