package dev.signalbox.proxy.http;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.schemas.snapshot.RouteAccess;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What an {@code auth-url} service's answer means for the client's request, as nginx's {@code auth_request} with
 * ingress-nginx's settings decides: 2xx lets the request through with the {@code auth-response-headers} fields set from
 * the answer (or removed when the answer lacks them, so a client cannot send them itself); 401 and 403 are answered to
 * the client, 401 with the service's {@code WWW-Authenticate}, or as a 302 to {@code auth-signin}; anything else, and
 * a service that cannot be reached, is 500. The service's Set-Cookie goes to the client on the answer that lets the
 * request through and on the redirect to auth-signin, when that answer's status is one nginx's {@code add_header}
 * applies to (ingress-nginx's {@code auth_request_set $auth_cookie $upstream_http_set_cookie; add_header Set-Cookie
 * $auth_cookie;}). Pure.
 */
public final class ExternalAuthAnswer {
    private ExternalAuthAnswer() {
    }

    /** The decision. */
    public sealed interface Reply {
    }

    /**
     * Go on, after setting these fields on the request (a null value removes the field).
     *
     * @param fields  name and value pairs, in the order of {@code auth-response-headers}
     * @param cookies the service's Set-Cookie values, for the client's answer ({@link #addCookies})
     */
    public record Allow(List<Field> fields, List<String> cookies) implements Reply {
        public Allow {
            fields = List.copyOf(fields);
            cookies = List.copyOf(cookies);
        }
    }

    /** A field to set on the request; {@code value} null removes it. */
    public record Field(String name, String value) {
    }

    /**
     * Answer the client with {@code status}; {@code challenges} are {@code WWW-Authenticate} values (401);
     * {@code signin} true when a 401 should become the redirect to auth-signin, which carries {@code cookies} (the
     * service's Set-Cookie values; empty otherwise, as nginx adds none to a 401, 403 or 500).
     */
    public record Refuse(int status, List<String> challenges, boolean signin, String reason, List<String> cookies)
            implements Reply {
        public Refuse {
            challenges = List.copyOf(challenges);
            cookies = List.copyOf(cookies);
        }
    }

    /** The decision on the service's answer {@code status} with {@code headers}. */
    public static Reply of(int status, HttpHeaders headers, RouteAccess.ExternalAuth auth) {
        if (status >= 200 && status < 300) {
            List<Field> fields = new ArrayList<>();
            for (String name : auth.responseHeaders()) {
                fields.add(new Field(name, headers.get(name)));
            }
            return new Allow(fields, headers.getAll(HttpHeaderNames.SET_COOKIE));
        }
        if (status == 401) {
            boolean signin = auth.signin() != null;
            return new Refuse(401, headers.getAll(HttpHeaderNames.WWW_AUTHENTICATE), signin, "authorization required",
                    signin ? headers.getAll(HttpHeaderNames.SET_COOKIE) : List.of());
        }
        if (status == 403) {
            return new Refuse(403, List.of(), false, "forbidden by the authentication service", List.of());
        }
        return failed("the authentication service at " + auth.url() + " answered " + status);
    }

    /** The service's Set-Cookie values a reply carries to the client (none for a refusal answered as it is). */
    public static List<String> cookies(Reply reply) {
        return reply instanceof Allow a ? a.cookies() : ((Refuse) reply).cookies();
    }

    /** The service could not be asked or answered something else: 500, as nginx's auth_request. */
    public static Reply failed(String reason) {
        return new Refuse(500, List.of(), false, reason, List.of());
    }

    /**
     * Adds the service's Set-Cookie values to the client's answer with {@code status}, when nginx's {@code add_header}
     * (without {@code always}) would: 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308. Each value is its own field;
     * nginx's {@code $upstream_http_set_cookie} joins several into one with ", ".
     */
    public static void addCookies(HttpHeaders response, int status, List<String> cookies) {
        if (cookies.isEmpty()) {
            return;
        }
        switch (status) {
            case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308 ->
                    cookies.forEach(c -> response.add(HttpHeaderNames.SET_COOKIE, c));
            default -> {
            }
        }
    }

    /**
     * Where a 401 with {@code auth-signin} sends the client: the URL with its variables replaced, and, unless its
     * query already has {@code param}, {@code param=scheme://host} followed by the escaped request URI (ingress-nginx's
     * buildAuthSignURL).
     */
    public static String signinLocation(String signin, String param, String scheme, String hostHeader, String uri) {
        String httpHost = hostHeader == null ? "" : hostHeader;
        String host = CompiledTable.normalizeHost(hostHeader);
        String escaped = escape(uri);
        String url = signin
                .replace("$escaped_request_uri", escaped)
                .replace("$request_uri", uri)
                .replace("$best_http_host", httpHost)
                .replace("$http_host", httpHost)
                .replace("$host", host)
                .replace("$pass_access_scheme", scheme)
                .replace("$scheme", scheme);
        int q = url.indexOf('?');
        String rd = param + "=" + scheme + "://" + httpHost + escaped;
        if (q < 0) {
            return url + "?" + rd;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            if (pair.startsWith(param + "=") && pair.length() > param.length() + 1) {
                return url;
            }
        }
        return url + "&" + rd;
    }

    /**
     * nginx's {@code $escaped_request_uri} (ngx_escape_uri for arguments): every byte but letters, digits and
     * {@code -._~/:@!$'()*,} percent-encoded, so the URI can be one query parameter's value.
     */
    static String escape(String uri) {
        StringBuilder b = new StringBuilder(uri.length() + 16);
        for (byte x : uri.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/:@!$'()*,".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile("\\$([A-Za-z0-9_]+)");

    /**
     * The value of an {@code auth-cache-key} template for a request: {@code $http_NAME} the request's NAME fields
     * (underscores as dashes, several joined with ", "), {@code $cookie_NAME} that cookie, {@code $remote_user} the
     * Basic user, {@code $remote_addr} the client address, {@code $host} the host, {@code $request_uri} the URI; a
     * missing value is empty, as nginx's.
     */
    public static String cacheKey(String template, HttpHeaders h, String clientAddress, String uri) {
        java.util.regex.Matcher m = VARIABLE.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = m.group(1);
            String value;
            if (v.startsWith("http_")) {
                value = String.join(", ", h.getAll(v.substring(5).replace('_', '-')));
            } else if (v.startsWith("cookie_")) {
                value = cookie(h.getAll(HttpHeaderNames.COOKIE), v.substring(7));
            } else {
                value = switch (v) {
                    case "remote_user" -> {
                        Htpasswd.Credentials c = Htpasswd.credentials(h.get(HttpHeaderNames.AUTHORIZATION));
                        yield c == null ? "" : c.user();
                    }
                    case "remote_addr" -> clientAddress;
                    case "host" -> CompiledTable.normalizeHost(h.get(HttpHeaderNames.HOST));
                    case "request_uri" -> uri;
                    default -> "";
                };
            }
            m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(value));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static String cookie(List<String> fields, String name) {
        for (String field : fields) {
            for (String pair : field.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    return pair.substring(eq + 1).trim();
                }
            }
        }
        return "";
    }

    /** How long an answer with {@code status} is remembered under {@code rules} (the first that names it), 0 for not. */
    public static long cacheSeconds(List<RouteAccess.CacheValid> rules, int status) {
        for (RouteAccess.CacheValid r : rules) {
            if (r.any() || r.codes().contains(status)) {
                return r.seconds();
            }
        }
        return 0;
    }
}
