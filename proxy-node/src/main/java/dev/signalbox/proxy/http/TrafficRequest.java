package dev.signalbox.proxy.http;

import dev.signalbox.routing.CompiledTable;
import dev.signalbox.routing.RequestView;
import dev.signalbox.routing.Sticky;
import dev.signalbox.proxy.routing.LatencyEwma;
import dev.signalbox.schemas.snapshot.Endpoint;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request as the canary's, session affinity's, upstream-hash-by's and ewma's rules read it (issue 18), and the
 * Set-Cookie of a session the route keeps. The weighted draw is the event loop thread's own random: no lock, no
 * shared state. Made and used on the client connection's event loop, for one routing decision.
 */
public final class TrafficRequest implements RequestView {
    private final HttpHeaders headers;
    private final String requestUri;
    private final HeaderRewriter.Forwarding client;
    private final LatencyEwma latency;
    private final long nowNanos;
    private boolean latencyRead;

    /**
     * @param requestUri the request target as the client sent it (nginx's {@code $request_uri})
     * @param client     the client's address ({@code $remote_addr}) and scheme
     * @param latency    the endpoints' response times, read at {@code nowNanos}
     */
    public TrafficRequest(HttpHeaders headers, String requestUri, HeaderRewriter.Forwarding client, LatencyEwma latency,
                          long nowNanos) {
        this.headers = headers;
        this.requestUri = requestUri;
        this.client = client;
        this.latency = latency;
        this.nowNanos = nowNanos;
    }

    @Override
    public double latency(Endpoint endpoint) {
        latencyRead = true;
        return latency.score(endpoint, nowNanos);
    }

    /** Whether the decision balanced by response times: then the response's time is to be measured. */
    public boolean latencyRead() {
        return latencyRead;
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
                return client.peer();
            case "host":
                return CompiledTable.normalizeHost(headers.get(HttpHeaderNames.HOST));
            case "scheme":
                return client.scheme();
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
