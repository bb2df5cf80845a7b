package dev.signalbox.proxy.http;

import dev.signalbox.routing.Decision;

/**
 * The {@code Location} of a redirect the proxy answers for a route's annotations ({@link Decision.Redirect}), made
 * as ingress-nginx makes it. Pure.
 */
public final class Redirects {
    private Redirects() {
    }

    /**
     * @param scheme        the scheme the request came with (http or https)
     * @param hostHeader    the Host field as sent, port included
     * @param port          the port the connection was accepted on
     * @param requestTarget the request target as sent
     * @return the location; null when it needs a Host and the request has none
     */
    public static String location(Decision.Redirect r, String scheme, String hostHeader, int port, String requestTarget) {
        return switch (r.target()) {
            case URL -> r.value();
            // app-root: "return 302 $scheme://$http_host<app-root>".
            case PATH -> hostHeader == null || hostHeader.isBlank() ? null : scheme + "://" + hostHeader.trim() + r.value();
            // from-to-www-redirect (ingress-nginx's ngx_srv_redirect.lua): scheme://to:server_port, then $request_uri
            // without a final '/' ("/" itself becomes nothing).
            case HOST -> {
                String uri = HttpsRedirect.originForm(requestTarget);
                if (uri.endsWith("/")) {
                    uri = uri.substring(0, uri.length() - 1);
                }
                yield scheme + "://" + r.value() + ":" + port + uri;
            }
        };
    }
}
