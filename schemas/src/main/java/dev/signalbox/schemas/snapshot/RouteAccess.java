package dev.signalbox.schemas.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.signalbox.schemas.crypto.SealedKey;
import java.util.List;

/**
 * Who may use a route, from its Ingress's access-control annotations (ingress-nginx's names, issue 18). Checked by
 * the proxy after redirects (nginx's rewrite phase) and before the request is forwarded (its access phase): the
 * source ranges first, then the credentials.
 *
 * @param allowSourceRanges {@code whitelist-source-range}/{@code allowlist-source-range}: CIDR blocks, normalised
 *                          (network address, prefix length) and sorted; empty for any client. Others get 403
 * @param denySourceRanges  {@code denylist-source-range}: CIDR blocks whose clients get 403, checked first
 * @param basicAuth         {@code auth-type: basic}: 401 without valid credentials, or null
 * @param externalAuth      {@code auth-url}: each request is first asked of an authentication service, or null
 * @param denied            why the route answers 503 to everyone (a malformed access annotation, a missing
 *                          auth Secret: ingress-nginx's "location denied"), or null
 */
public record RouteAccess(List<String> allowSourceRanges, List<String> denySourceRanges, BasicAuth basicAuth,
                          ExternalAuth externalAuth, String denied) {

    @JsonCreator
    public RouteAccess {
        allowSourceRanges = allowSourceRanges == null ? List.of() : List.copyOf(allowSourceRanges);
        denySourceRanges = denySourceRanges == null ? List.of() : List.copyOf(denySourceRanges);
    }

    /** Access control that restricts nothing is none. */
    public static RouteAccess orNull(RouteAccess a) {
        return a == null || (a.allowSourceRanges.isEmpty() && a.denySourceRanges.isEmpty() && a.basicAuth == null
                && a.externalAuth == null && a.denied == null) ? null : a;
    }

    /**
     * HTTP basic authentication (RFC 7617) against an htpasswd-style user list.
     *
     * @param realm       {@code auth-realm}, sent in {@code WWW-Authenticate: Basic realm="..."}
     * @param secret      cluster/namespace/name of the Secret ({@code auth-secret})
     * @param authMap     {@code auth-secret-type: auth-map} (every key a user, its value the hash); false for
     *                    {@code auth-file} (key {@code auth} holds an htpasswd file)
     * @param credentials the Secret's data as a JSON object of strings, sealed by the watcher for the Secret's
     *                    cluster/namespace/name; opened only by proxies
     */
    public record BasicAuth(String realm, String secret, boolean authMap, SealedKey credentials) {
    }

    /**
     * nginx's {@code auth_request} as ingress-nginx configures it: the proxy sends the request's head (no body) to
     * {@code url}; a 2xx lets the request through, 401 and 403 are answered to the client (401 becomes a redirect to
     * {@code signin} when set), anything else is 500.
     *
     * @param url                 {@code auth-url}: an http or https URL without variables
     * @param method              {@code auth-method}, or null for GET
     * @param signin              {@code auth-signin}: where a 401 sends the client (302), or null; may use
     *                            {@code $host}, {@code $scheme}, {@code $request_uri}, {@code $escaped_request_uri}
     * @param signinRedirectParam {@code auth-signin-redirect-param}: the query parameter that carries the original URL
     *                            when {@code signin} has no such parameter yet ({@code rd} by default)
     * @param responseHeaders     {@code auth-response-headers}: fields of a 2xx answer copied to the request sent on
     * @param requestRedirect     {@code auth-request-redirect}: sent as {@code X-Auth-Request-Redirect}, or null for
     *                            the request's URI
     * @param cacheKey            {@code auth-cache-key}: answers are remembered per value of this template
     *                            ({@code $http_*}, {@code $cookie_*}, {@code $remote_user}, {@code $remote_addr},
     *                            {@code $host}, {@code $request_uri}), or null for none
     * @param cacheValid          {@code auth-cache-duration}: which answers are remembered and how long (nginx's
     *                            {@code proxy_cache_valid}); empty without {@code cacheKey}
     */
    public record ExternalAuth(String url, String method, String signin, String signinRedirectParam,
                               List<String> responseHeaders, String requestRedirect, String cacheKey,
                               List<CacheValid> cacheValid) {
        @JsonCreator
        public ExternalAuth {
            responseHeaders = responseHeaders == null ? List.of() : List.copyOf(responseHeaders);
            cacheValid = cacheValid == null ? List.of() : List.copyOf(cacheValid);
        }
    }

    /**
     * One {@code proxy_cache_valid} rule: answers with one of {@code codes} (any answer when {@code any}) are
     * remembered for {@code seconds}.
     */
    public record CacheValid(List<Integer> codes, boolean any, long seconds) {
        @JsonCreator
        public CacheValid {
            codes = codes == null ? List.of() : List.copyOf(codes);
        }
    }
}
