package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;

/**
 * Where a route's errors go, from its Ingress's {@code default-backend} and {@code custom-http-errors} annotations
 * (ingress-nginx's names, issue 18).
 *
 * @param backend     the {@link Backend#id()} of the Ingress's default backend: it serves the route's requests while
 *                    the route's own backend has no endpoint, and answers the errors in {@code codes}; null without
 *                    {@code default-backend}
 * @param codes       statuses (400 to 599, sorted, without repeats) whose response from the backend is dropped and
 *                    answered instead by {@code backend} (or the proxy's own page of the same status when null)
 * @param namespace   sent to {@code backend} as {@code X-Namespace}: the Ingress's namespace
 * @param ingress     sent as {@code X-Ingress-Name}
 * @param service     sent as {@code X-Service-Name}: the Service the route sends to
 * @param servicePort sent as {@code X-Service-Port}: its port as the Ingress names it
 */
public record ErrorPages(String backend, List<Integer> codes, String namespace, String ingress, String service,
                         String servicePort) {

    @JsonCreator
    public ErrorPages {
        codes = codes == null ? List.of() : List.copyOf(codes);
    }

    /** Settings that change nothing are no settings. */
    public static ErrorPages orNull(ErrorPages e) {
        return e == null || (e.backend == null && e.codes.isEmpty()) ? null : e;
    }

    /** Whether a backend's response with {@code status} is replaced. */
    public boolean intercepts(int status) {
        return codes.contains(status);
    }
}
