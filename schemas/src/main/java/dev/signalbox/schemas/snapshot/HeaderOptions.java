package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a route adds to its responses and to the requests it sends on, from its Ingress's annotations (issue 18): CORS
 * (ingress-nginx's {@code enable-cors} and {@code cors-*}), the fields of {@code signalbox.dev/response-headers}
 * (ingress-nginx's {@code more_set_headers}) and of the ConfigMap {@code custom-headers} names, and the fields of the
 * ConfigMap {@code signalbox.dev/proxy-set-headers} names (ingress-nginx's {@code proxy-set-headers}). The compiler has checked every name and value (tokens, no CR, LF or NUL, no framing,
 * hop-by-hop or identity field), so the proxy writes them as they are.
 *
 * @param cors     the CORS settings, or null when the Ingress does not enable CORS
 * @param response the fields set on every response of the route, replacing the backend's of the same name, in
 *                 the order written; an empty value removes the field (as {@code more_set_headers 'Name:'})
 * @param request  the fields set on every request the route sends to a backend, replacing the client's of the same
 *                 name, in order ({@code signalbox.dev/proxy-set-headers}); left out of the encoding when empty
 */
public record HeaderOptions(Cors cors, List<Field> response,
                            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Field> request) {

    @JsonCreator
    public HeaderOptions {
        response = response == null ? List.of() : List.copyOf(response);
        request = request == null ? List.of() : List.copyOf(request);
    }

    /** Options for responses only. */
    public HeaderOptions(Cors cors, List<Field> response) {
        this(cors, response, List.of());
    }

    /** Options that add nothing are no options. */
    public static HeaderOptions orNull(HeaderOptions h) {
        return h == null || (h.cors == null && h.response.isEmpty() && h.request.isEmpty()) ? null : h;
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
