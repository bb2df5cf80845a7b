package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;

/**
 * What a route adds to its responses, from its Ingress's annotations (issue 18): CORS (ingress-nginx's
 * {@code enable-cors} and {@code cors-*}) and the fields of {@code signalbox.dev/response-headers} (ingress-nginx's
 * {@code more_set_headers}). The compiler has checked every name and value (tokens, no CR, LF or NUL, no framing,
 * hop-by-hop or identity field), so the proxy writes them as they are.
 *
 * @param cors     the CORS settings, or null when the Ingress does not enable CORS
 * @param response the fields set on every response of the route, replacing the backend's of the same name, in
 *                 the order written; an empty value removes the field (as {@code more_set_headers 'Name:'})
 */
public record HeaderOptions(Cors cors, List<Field> response) {

    @JsonCreator
    public HeaderOptions {
        response = response == null ? List.of() : List.copyOf(response);
    }

    /** Options that add nothing are no options. */
    public static HeaderOptions orNull(HeaderOptions h) {
        return h == null || (h.cors == null && h.response.isEmpty()) ? null : h;
    }

    /**
     * ingress-nginx's CORS settings of one Ingress.
     *
     * @param allowOrigins     {@code cors-allow-origin}: the origins answered, as written ({@code scheme://host[:port]},
     *                         {@code scheme://*.domain[:port]} for any one label there, or {@code null}); exactly
     *                         {@code ["*"]} answers every request with {@code Access-Control-Allow-Origin: *}; empty
     *                         answers none
     * @param allowMethods     {@code Access-Control-Allow-Methods}, as written
     * @param allowHeaders     {@code Access-Control-Allow-Headers}, as written
     * @param allowCredentials whether {@code Access-Control-Allow-Credentials: true} is sent
     * @param exposeHeaders    {@code Access-Control-Expose-Headers}, as written, or null for none
     * @param maxAge           {@code Access-Control-Max-Age}, in seconds
     */
    public record Cors(List<String> allowOrigins, String allowMethods, String allowHeaders, boolean allowCredentials,
                       String exposeHeaders, long maxAge) {
        @JsonCreator
        public Cors {
            allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
        }
    }

    /** One response field: {@code name} as written, {@code value} without surrounding whitespace (empty: removed). */
    public record Field(String name, String value) {
    }
}
