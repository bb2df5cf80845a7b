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
 * @param options       rewrite, redirects and other per-route behaviour from annotations, or null for none
 *                      (an additive field)
 */
public record Route(String path, PathMatch match, String backend, String source, boolean httpsRedirect,
                    RouteOptions options) {

    @JsonCreator
    public Route {
        options = RouteOptions.orNull(options);
    }

    /** A route without annotation options. */
    public Route(String path, PathMatch match, String backend, String source, boolean httpsRedirect) {
        this(path, match, backend, source, httpsRedirect, null);
    }

    /** A route served over plain HTTP too. */
    public Route(String path, PathMatch match, String backend, String source) {
        this(path, match, backend, source, false);
    }
}
