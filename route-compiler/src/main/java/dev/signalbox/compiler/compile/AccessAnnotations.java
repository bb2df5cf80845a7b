package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.AuthSecretState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.net.CidrSet;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The access-control annotations of one Ingress (issue 18), as ingress-nginx 1.15 reads them:
 * {@code whitelist-source-range} (or {@code allowlist-source-range}, which wins), {@code denylist-source-range},
 * and basic authentication ({@code auth-type: basic}, {@code auth-secret}, {@code auth-secret-type},
 * {@code auth-realm}). Each is read under {@value Annotations#SIGNALBOX} first, then {@value Annotations#NGINX}.
 *
 * <p>ingress-nginx answers every path of an Ingress whose access annotations it cannot use (a malformed CIDR, a
 * missing auth Secret or key) with 503 ("location denied"; its basic-auth example: "otherwise the ingress-controller
 * returns a 503"), so it fails closed rather than serving the paths unprotected or letting them fall through to
 * another Ingress's route. Here likewise: an error diagnostic, and {@link RouteAccess#denied()} set. Pure.
 */
final class AccessAnnotations {
    static final String ALLOWLIST = "allowlist-source-range";
    static final String WHITELIST = "whitelist-source-range";
    static final String DENYLIST = "denylist-source-range";
    static final String AUTH_TYPE = "auth-type";
    static final String AUTH_SECRET = "auth-secret";
    static final String AUTH_SECRET_TYPE = "auth-secret-type";
    static final String AUTH_REALM = "auth-realm";
    static final String AUTH_URL = "auth-url";
    static final String AUTH_METHOD = "auth-method";
    static final String AUTH_SIGNIN = "auth-signin";
    static final String AUTH_SIGNIN_REDIRECT_PARAM = "auth-signin-redirect-param";
    static final String AUTH_RESPONSE_HEADERS = "auth-response-headers";
    static final String AUTH_REQUEST_REDIRECT = "auth-request-redirect";
    static final String AUTH_CACHE_KEY = "auth-cache-key";
    static final String AUTH_CACHE_DURATION = "auth-cache-duration";
    /** ingress-nginx's default auth-cache-duration. */
    static final String DEFAULT_CACHE_DURATION = "200 202 401 5m";
    /** The variables auth-cache-key may use (the proxy substitutes them). */
    private static final java.util.regex.Pattern CACHE_VARIABLE = java.util.regex.Pattern.compile(
            "\\$(http_[a-z0-9_]+|cookie_[A-Za-z0-9_]+|remote_user|remote_addr|host|request_uri)(?![A-Za-z0-9_])");
    /** One proxy_cache_valid rule: status codes (or any), then a time in s, m, h or d. */
    private static final java.util.regex.Pattern CACHE_VALID = java.util.regex.Pattern.compile(
            "((?:(?:[1-5][0-9]{2}|any)\\s+)*)([1-9][0-9]{0,6})([smhd])");
    /** ingress-nginx's auth-method values. */
    private static final java.util.regex.Pattern METHOD =
            java.util.regex.Pattern.compile("GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE");
    /** ingress-nginx's headerRegexp for auth-response-headers. */
    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("[a-zA-Z0-9_-]+");
    /** The variables auth-signin may use (the proxy substitutes them); anything else after '$' is refused. */
    private static final java.util.regex.Pattern SIGNIN_VARIABLE = java.util.regex.Pattern.compile(
            "\\$(host|http_host|best_http_host|scheme|pass_access_scheme|request_uri|escaped_request_uri)(?![a-z_])");

    private AccessAnnotations() {
    }

    /** The Ingress's access control, or null when it restricts nothing. */
    static RouteAccess of(ClusterModel model, ObjectKey ingress, Map<String, String> annotations, Diagnostics diagnostics) {
        List<String> problems = new ArrayList<>();
        String allowName = name(annotations, ALLOWLIST) != null ? ALLOWLIST : WHITELIST;
        List<String> allow = ranges(annotations, allowName, problems);
        List<String> deny = ranges(annotations, DENYLIST, problems);
        RouteAccess.BasicAuth basic = basicAuth(model, ingress, annotations, problems);
        RouteAccess.ExternalAuth external = externalAuth(annotations, problems);
        for (String p : problems) {
            diagnostics.error(ingress, p + "; every path of the Ingress answers 503 until it is corrected");
        }
        String denied = problems.isEmpty() ? null : String.join("; ", problems);
        return RouteAccess.orNull(new RouteAccess(allow, deny, basic, external, denied));
    }

    /** {@code options} with {@code access} added. */
    static RouteOptions with(RouteOptions options, RouteAccess access) {
        if (access == null) {
            return options;
        }
        RouteOptions o = options == null ? new RouteOptions(null, null, null, null, null, null, null, null, null) : options;
        return new RouteOptions(o.rewriteTarget(), o.forwardedPrefix(), o.redirect(), o.appRoot(), o.limits(),
                o.traffic(), access, o.headers(), o.errors());
    }

    /** The full name under which the annotation is set (ours first), or null when it is not set or empty. */
    private static String name(Map<String, String> annotations, String annotation) {
        for (String prefix : new String[] {Annotations.SIGNALBOX, Annotations.NGINX}) {
            String v = annotations.get(prefix + annotation);
            if (v != null && !v.isBlank()) {
                return prefix + annotation;
            }
        }
        return null;
    }

    private static String value(Map<String, String> annotations, String annotation) {
        String n = name(annotations, annotation);
        return n == null ? null : annotations.get(n).trim();
    }

    /** A comma-separated list of CIDR blocks or addresses, normalised and sorted (ingress-nginx's ParseCIDRs). */
    private static List<String> ranges(Map<String, String> annotations, String annotation, List<String> problems) {
        String v = value(annotations, annotation);
        if (v == null) {
            return List.of();
        }
        try {
            return CidrSet.parse(v).blocks();
        } catch (IllegalArgumentException e) {
            problems.add("annotation " + name(annotations, annotation) + ": " + e.getMessage()
                    + " (a comma-separated list of CIDR blocks such as 10.0.0.0/8 or 2001:db8::/32 is expected)");
            return List.of();
        }
    }

    private static RouteAccess.BasicAuth basicAuth(ClusterModel model, ObjectKey ingress, Map<String, String> annotations,
                                                   List<String> problems) {
        String type = value(annotations, AUTH_TYPE);
        if (type == null) {
            return null;
        }
        if (!type.equals("basic")) {
            problems.add("annotation " + name(annotations, AUTH_TYPE) + ": \"" + type + "\" is not supported ("
                    + (type.equals("digest") ? "digest authentication is not; " : "") + "basic is)");
            return null;
        }
        String realm = value(annotations, AUTH_REALM);
        if (realm != null && realm.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            problems.add("annotation " + name(annotations, AUTH_REALM) + " holds control characters");
            return null;
        }
        String secretType = value(annotations, AUTH_SECRET_TYPE);
        if (secretType != null && !secretType.equals("auth-file") && !secretType.equals("auth-map")) {
            problems.add("annotation " + name(annotations, AUTH_SECRET_TYPE) + ": \"" + secretType
                    + "\" is not auth-file or auth-map");
            return null;
        }
        String ref = value(annotations, AUTH_SECRET);
        if (ref == null) {
            problems.add("auth-type basic needs annotation " + Annotations.NGINX + AUTH_SECRET + " (the Secret with the "
                    + "users and their password hashes)");
            return null;
        }
        String secretName = AuthSecretState.secretName(ingress.namespace(), ref);
        if (secretName == null) {
            problems.add("annotation " + name(annotations, AUTH_SECRET) + ": \"" + ref + "\" is not the name of a Secret"
                    + " in the Ingress's namespace " + ingress.namespace() + " (name or " + ingress.namespace()
                    + "/name; Secrets of other namespaces are not read)");
            return null;
        }
        ObjectKey key = new ObjectKey(ingress.clusterId(), Kind.SECRET, ingress.namespace(), secretName);
        StoredObject s = model.get(key);
        String where = "auth Secret " + ingress.namespace() + "/" + secretName;
        if (s == null) {
            problems.add(where + " does not exist");
            return null;
        }
        if (s.state() instanceof TlsSecretState) {
            problems.add(where + " is of type kubernetes.io/tls; basic authentication reads an Opaque Secret");
            return null;
        }
        if (!(s.state() instanceof AuthSecretState auth)) {
            problems.add(where + " was not published by the watcher");
            return null;
        }
        if (auth.data() == null) {
            problems.add(where + ": " + auth.notPublished());
            return null;
        }
        return new RouteAccess.BasicAuth(realm == null ? "" : realm,
                ingress.clusterId() + "/" + ingress.namespace() + "/" + secretName, "auth-map".equals(secretType),
                auth.data());
    }

    /** {@code auth-url} and its companions, or null without {@code auth-url}. */
    private static RouteAccess.ExternalAuth externalAuth(Map<String, String> annotations, List<String> problems) {
        String url = value(annotations, AUTH_URL);
        if (url == null) {
            return null;
        }
        String bad = url.indexOf('$') >= 0 ? "nginx variables are not supported in auth-url" : badUrl(url);
        if (bad != null) {
            problems.add("annotation " + name(annotations, AUTH_URL) + ": \"" + url + "\" is not usable: " + bad);
            return null;
        }
        String method = value(annotations, AUTH_METHOD);
        if (method != null && !METHOD.matcher(method).matches()) {
            problems.add("annotation " + name(annotations, AUTH_METHOD) + ": \"" + method + "\" is not an HTTP method"
                    + " (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS or TRACE)");
            return null;
        }
        String signin = value(annotations, AUTH_SIGNIN);
        if (signin != null) {
            String b = badUrl(SIGNIN_VARIABLE.matcher(signin).replaceAll("x"));
            if (b == null && SIGNIN_VARIABLE.matcher(signin).replaceAll("x").indexOf('$') >= 0) {
                b = "only the variables $host, $http_host, $best_http_host, $scheme, $pass_access_scheme, $request_uri "
                        + "and $escaped_request_uri are supported";
            }
            if (b != null) {
                problems.add("annotation " + name(annotations, AUTH_SIGNIN) + ": \"" + signin + "\" is not usable: " + b);
                return null;
            }
        }
        String param = value(annotations, AUTH_SIGNIN_REDIRECT_PARAM);
        if (param != null && !HEADER.matcher(param).matches()) {
            problems.add("annotation " + name(annotations, AUTH_SIGNIN_REDIRECT_PARAM) + ": \"" + param
                    + "\" is not a query parameter name (letters, digits, - and _)");
            return null;
        }
        List<String> headers = new ArrayList<>();
        String list = value(annotations, AUTH_RESPONSE_HEADERS);
        if (list != null) {
            for (String h : list.split(",")) {
                String t = h.trim();
                if (t.isEmpty()) {
                    continue;
                }
                if (!HEADER.matcher(t).matches()) {
                    problems.add("annotation " + name(annotations, AUTH_RESPONSE_HEADERS) + ": \"" + t
                            + "\" is not a header name (letters, digits, - and _)");
                    return null;
                }
                headers.add(t);
            }
        }
        String redirect = value(annotations, AUTH_REQUEST_REDIRECT);
        if (redirect != null && redirect.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            problems.add("annotation " + name(annotations, AUTH_REQUEST_REDIRECT) + " holds spaces or control characters");
            return null;
        }
        String cacheKey = value(annotations, AUTH_CACHE_KEY);
        List<RouteAccess.CacheValid> valid = List.of();
        if (cacheKey != null) {
            if (cacheKey.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                    || CACHE_VARIABLE.matcher(cacheKey).replaceAll("").indexOf('$') >= 0) {
                problems.add("annotation " + name(annotations, AUTH_CACHE_KEY) + ": \"" + cacheKey + "\" may use only "
                        + "the variables $http_*, $cookie_*, $remote_user, $remote_addr, $host and $request_uri");
                return null;
            }
            String durations = value(annotations, AUTH_CACHE_DURATION);
            valid = cacheValid(durations == null ? DEFAULT_CACHE_DURATION : durations);
            if (valid == null) {
                problems.add("annotation " + name(annotations, AUTH_CACHE_DURATION) + ": \"" + durations + "\" is not a "
                        + "comma-separated list of status codes (or any) and a time, such as \"200 202 10m, 401 5m\"");
                return null;
            }
        }
        return new RouteAccess.ExternalAuth(url, method, signin, param == null ? "rd" : param, headers, redirect,
                cacheKey, valid);
    }

    /** nginx's proxy_cache_valid rules, comma-separated; null when one does not parse. A rule without codes is 200 301 302. */
    private static List<RouteAccess.CacheValid> cacheValid(String list) {
        List<RouteAccess.CacheValid> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            java.util.regex.Matcher m = CACHE_VALID.matcher(p);
            if (!m.matches()) {
                return null;
            }
            List<Integer> codes = new ArrayList<>();
            boolean any = false;
            for (String c : m.group(1).trim().split("\\s+")) {
                if (c.equals("any")) {
                    any = true;
                } else if (!c.isEmpty()) {
                    codes.add(Integer.parseInt(c));
                }
            }
            if (codes.isEmpty() && !any) {
                codes = List.of(200, 301, 302);
            }
            long n = Long.parseLong(m.group(2));
            long seconds = switch (m.group(3)) {
                case "m" -> n * 60;
                case "h" -> n * 3600;
                case "d" -> n * 86400;
                default -> n;
            };
            out.add(new RouteAccess.CacheValid(codes, any, seconds));
        }
        return out.isEmpty() ? null : out;
    }

    /** Why {@code url} is no absolute http or https URL with a host (RFC 3986, no user info), or null. */
    private static String badUrl(String url) {
        java.net.URI u;
        try {
            u = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            return e.getReason();
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "only http and https URLs are";
        }
        if (u.getHost() == null || u.getRawUserInfo() != null) {
            return "it needs a host and no user info";
        }
        return null;
    }
}
