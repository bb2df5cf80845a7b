package dev.signalbox.schemas.snapshot;

import java.util.List;

/**
 * The routes of one host, in precedence order: longest path first, then Exact before Prefix.
 *
 * @param host a lower-case host ("foo.example.com"), a one-label wildcard ("*.example.com"), or
 *             {@link #ANY_HOST} for rules without a host
 */
public record VirtualHost(String host, List<Route> routes) {
    public static final String ANY_HOST = "*";

    public VirtualHost {
        routes = List.copyOf(routes);
    }
}
