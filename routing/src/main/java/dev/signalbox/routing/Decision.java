package dev.signalbox.routing;

import dev.signalbox.schemas.snapshot.Endpoint;

/** What the proxy does with one request, decided from the compiled table alone. */
public sealed interface Decision {
    /** The metrics label of the route that decided: "host/path", "(default)" or "(none)". */
    String route();

    /**
     * Send the request to {@code endpoint} of backend {@code backendId}, which runs in {@code locality} as seen
     * from this proxy.
     */
    record Forward(String route, String backendId, Endpoint endpoint, Locality.Tier locality) implements Decision {
    }

    /** A route matched but its backend has no ready endpoint: 503 with {@code reason}. */
    record Unavailable(String route, String reason) implements Decision {
    }

    /**
     * A plain-HTTP request for a route served over HTTPS only ({@code Route.httpsRedirect()}): 308 to the
     * same host and target over HTTPS.
     */
    record RedirectToHttps(String route) implements Decision {
    }

    /** Nothing matched and there is no default backend: 404 with {@code reason}. */
    record NotFound(String route, String reason) implements Decision {
    }
}
