package dev.signalbox.proxy.http;

import dev.signalbox.schemas.snapshot.HeaderOptions;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

/**
 * What a route's header options (issue 18) do to one request: ingress-nginx's CORS template and
 * {@code signalbox.dev/response-headers}, its {@code more_set_headers}. Made once per request of a route that has
 * options (a route without them costs the proxy one null check), applied to whatever answers the request: the
 * backend's final response head, or the proxy's own answer (a 401, 403, 502, 503, 504 or redirect of that route), as
 * headers-more sets its fields on every status.
 *
 * <p>CORS as ingress-nginx (controller v1.15, nginx.tmpl's CORS block, checked against nginx with headers-more):
 * <ul>
 *   <li>With {@code cors-allow-origin: *} every request of the route is a CORS request, with or without an Origin,
 *       answered with {@code Access-Control-Allow-Origin: *}; otherwise only one whose Origin matches an entry whole,
 *       without case ({@code scheme://*.domain} matching any one label of letters, digits and '-'), answered with its
 *       Origin as sent. A request whose Origin matches nothing gets no CORS field, and the backend's pass unchanged.</li>
 *   <li>A CORS request with method OPTIONS is a preflight: the proxy answers it with 204 and the CORS fields and never
 *       forwards it, whether or not it carries {@code Access-Control-Request-Method} (ingress-nginx checks only the
 *       method), and before the route's redirects and access checks (nginx's rewrite phase). ingress-nginx also sends
 *       {@code Content-Length: 0} on that 204; RFC 9110 8.6 forbids it, so Signalbox does not.</li>
 *   <li>The CORS fields are Allow-Origin, Allow-Credentials (only when true), Allow-Methods, Allow-Headers,
 *       Expose-Headers (only when set) and Max-Age, on preflights and on every other answer alike, replacing the
 *       backend's fields of those names.</li>
 * </ul>
 * The response fields are set first (an empty value removes the field), then CORS's, so CORS wins a name both set.
 * The request fields ({@code signalbox.dev/proxy-set-headers}, ingress-nginx's {@code proxy-set-headers}) are set on
 * the request sent to the backend, replacing the client's of those names, after the proxy's own forwarding fields.
 * Names and values were checked by the compiler. Pure; used on the request's event loop.
 */
public final class RouteHeaders {
    static final String ACAO = "Access-Control-Allow-Origin";
    static final String ACAC = "Access-Control-Allow-Credentials";
    static final String ACAM = "Access-Control-Allow-Methods";
    static final String ACAH = "Access-Control-Allow-Headers";
    static final String ACEH = "Access-Control-Expose-Headers";
    static final String ACMA = "Access-Control-Max-Age";

    private final List<HeaderOptions.Field> fields;
    private final List<HeaderOptions.Field> request;
    private final HeaderOptions.Cors cors;
    /** The Access-Control-Allow-Origin of this request, or null when it is not a CORS request of the route. */
    private final String allowOrigin;
    private final boolean preflight;

    private RouteHeaders(List<HeaderOptions.Field> fields, List<HeaderOptions.Field> request, HeaderOptions.Cors cors,
                         String allowOrigin, boolean preflight) {
        this.fields = fields;
        this.request = request;
        this.cors = cors;
        this.allowOrigin = allowOrigin;
        this.preflight = preflight;
    }

    /**
     * What {@code options} (not null) do to a request with {@code method} and {@code origin} (its first Origin field,
     * or null); null when they add nothing to it.
     */
    public static RouteHeaders of(HeaderOptions options, HttpMethod method, String origin) {
        String allowOrigin = options.cors() == null ? null : allowOrigin(options.cors().allowOrigins(), origin);
        if (allowOrigin == null && options.response().isEmpty() && options.request().isEmpty()) {
            return null;
        }
        return new RouteHeaders(options.response(), options.request(), options.cors(), allowOrigin,
                allowOrigin != null && HttpMethod.OPTIONS.equals(method));
    }

    /** Whether the proxy answers this request itself with 204: a CORS preflight. */
    public boolean preflight() {
        return preflight;
    }

    /** Sets the request fields on the head of this request as it goes to a backend. */
    public void toBackend(HttpHeaders h) {
        for (int i = 0; i < request.size(); i++) {
            h.set(request.get(i).name(), request.get(i).value());
        }
    }

    /** Sets the fields on a response head of this request. */
    public void apply(HttpHeaders h) {
        for (int i = 0; i < fields.size(); i++) {
            HeaderOptions.Field f = fields.get(i);
            if (f.value().isEmpty()) {
                h.remove(f.name());
            } else {
                h.set(f.name(), f.value());
            }
        }
        if (allowOrigin == null) {
            return;
        }
        h.set(ACAO, allowOrigin);
        if (cors.allowCredentials()) {
            h.set(ACAC, "true");
        }
        h.set(ACAM, cors.allowMethods());
        h.set(ACAH, cors.allowHeaders());
        if (cors.exposeHeaders() != null) {
            h.set(ACEH, cors.exposeHeaders());
        }
        h.set(ACMA, cors.maxAge());
    }

    /** The Access-Control-Allow-Origin for {@code origin}, or null when it is not allowed. */
    static String allowOrigin(List<String> allowed, String origin) {
        if (allowed.size() == 1 && allowed.get(0).equals("*")) {
            return "*";
        }
        if (origin == null) {
            return null;
        }
        for (int i = 0; i < allowed.size(); i++) {
            if (matches(allowed.get(i), origin)) {
                return origin;
            }
        }
        return null;
    }

    /**
     * ingress-nginx's {@code $http_origin ~* (entry)$}, anchored at the start too: the whole Origin equals the entry
     * without case, or for {@code scheme://*.rest} is {@code scheme://}, one label of letters, digits and '-', then
     * {@code .rest}. String comparisons only: nothing to compile per table or per request.
     */
    static boolean matches(String entry, String origin) {
        int wildcard = entry.indexOf("://*.");
        if (wildcard < 0) {
            return entry.equalsIgnoreCase(origin);
        }
        int schemeEnd = wildcard + 3;
        int suffixLength = entry.length() - schemeEnd - 1;
        int labelEnd = origin.length() - suffixLength;
        if (labelEnd <= schemeEnd
                || !origin.regionMatches(true, 0, entry, 0, schemeEnd)
                || !origin.regionMatches(true, labelEnd, entry, schemeEnd + 1, suffixLength)) {
            return false;
        }
        for (int i = schemeEnd; i < labelEnd; i++) {
            char c = origin.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
