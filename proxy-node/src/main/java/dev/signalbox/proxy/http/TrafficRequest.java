package dev.signalbox.proxy.http;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.RequestView;
import dev.signalbox.routing.Sticky;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request as the canary's, session affinity's and upstream-hash-by's rules read it (issue 18), and the Set-Cookie
 * of a session the route keeps. The weighted draw is the event loop thread's own random: no lock, no shared state.
 * Made and used on the client connection's event loop.
 */
public final class TrafficRequest implements RequestView {
    private final HttpHeaders headers;
    private final String requestUri;
    private final String remoteAddr;
    private final String scheme;

    /**
     * @param requestUri the request target as the client sent it (nginx's {@code $request_uri})
     * @param remoteAddr the client's address ({@code $remote_addr}: the socket's, or the PROXY protocol header's)
     * @param scheme     http or https
     */
    public TrafficRequest(HttpHeaders headers, String requestUri, String remoteAddr, String scheme) {
        this.headers = headers;
        this.requestUri = requestUri;
        this.remoteAddr = remoteAddr;
        this.scheme = scheme;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public String cookie(String name) {
        // HTTP/2 clients may split cookies over several fields (RFC 9113 8.2.3).
        List<String> fields = headers.getAll(HttpHeaderNames.COOKIE);
        for (String f : fields) {
            String v = RequestView.cookieIn(f, name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    @Override
    public int draw(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }

    @Override
    public String variable(String name) {
        int q = requestUri.indexOf('?');
        switch (name) {
            case "request_uri":
                return requestUri;
            case "uri":
                return q < 0 ? requestUri : requestUri.substring(0, q);
            case "args":
            case "query_string":
                return q < 0 ? null : requestUri.substring(q + 1);
            case "remote_addr":
                return remoteAddr;
            case "host":
                return CompiledTable.normalizeHost(headers.get(HttpHeaderNames.HOST));
            case "scheme":
                return scheme;
            default:
                break;
        }
        if (name.startsWith("http_")) {
            return headers.get(name.substring(5).replace('_', '-'));
        }
        if (name.startsWith("cookie_")) {
            return cookie(name.substring(7));
        }
        if (name.startsWith("arg_") && q >= 0) {
            String arg = name.substring(4);
            for (String pair : requestUri.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq == arg.length() && pair.startsWith(arg)) {
                    return pair.substring(eq + 1);
                }
            }
        }
        return null;
    }

    /**
     * Adds the session cookie to a response from the backend when the session is new or moved.
     *
     * @param userAgent the request's User-Agent, or null
     */
    public static void setCookie(HttpHeaders response, Sticky sticky, boolean overTls, String userAgent) {
        String c = sticky == null ? null : sticky.setCookie(overTls, userAgent, System.currentTimeMillis() / 1000);
        if (c != null) {
            response.add(HttpHeaderNames.SET_COOKIE, c);
        }
    }
}
