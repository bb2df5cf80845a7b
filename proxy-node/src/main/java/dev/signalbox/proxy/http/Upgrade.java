package dev.signalbox.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;

/**
 * The WebSocket upgrade (RFC 6455 4, RFC 9110 7.8) as a proxy sees it: which requests ask for it, what the
 * backend is told, and which answer switches the connection to a byte tunnel. {@code Upgrade} and
 * {@code Connection} are hop-by-hop, so {@link HeaderRewriter} removes them; for an upgrade request they are
 * written back, as nginx's {@code proxy_set_header Upgrade $http_upgrade} does. Only {@code websocket} is
 * forwarded (Envoy's default {@code upgrade_configs}): other protocols (h2c, TLS/1.0) are dropped as before,
 * so the backend answers an ordinary request. Pure; any thread.
 */
public final class Upgrade {
    public static final String WEBSOCKET = "websocket";

    private Upgrade() {
    }

    /**
     * The protocol a request asks to switch to, as the client spelled it, or null when it is not a WebSocket
     * handshake: an HTTP/1.1 GET without a body, {@code Connection} naming {@code upgrade} and {@code Upgrade}
     * being the one token {@code websocket} (RFC 6455 4.1, any case). Read before {@link HeaderRewriter}
     * removes the fields.
     */
    public static String requested(HttpRequest request) {
        HttpHeaders h = request.headers();
        if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion()) || !HttpMethod.GET.equals(request.method())
                || h.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || h.getInt(HttpHeaderNames.CONTENT_LENGTH, 0) != 0
                || !h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return null;
        }
        String upgrade = h.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || h.getAll(HttpHeaderNames.UPGRADE).size() != 1) {
            return null;
        }
        String protocol = upgrade.trim();
        return protocol.toLowerCase(Locale.ROOT).equals(WEBSOCKET) ? protocol : null;
    }

    /** Writes the upgrade back into a request head that {@link HeaderRewriter#forBackend} cleaned. */
    public static void forward(HttpHeaders backendHead, String protocol) {
        backendHead.set(HttpHeaderNames.UPGRADE, protocol);
        backendHead.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }

    /** What a backend's 101 means for a request that asked for {@code protocol} (null: it asked for none). */
    public enum Answer {
        /** Not a 101: an ordinary response, proxied as such (RFC 9110 7.8: the server may ignore Upgrade). */
        ORDINARY,
        /** A 101 to the protocol asked for: the connection becomes a tunnel once the head is passed on. */
        SWITCH,
        /** A 101 nobody asked for, or to another protocol: the backend is wrong, 502. */
        UNEXPECTED
    }

    public static Answer answer(HttpResponse response, String protocol) {
        if (response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            return Answer.ORDINARY;
        }
        String to = response.headers().get(HttpHeaderNames.UPGRADE);
        return protocol != null && to != null && to.trim().equalsIgnoreCase(protocol) ? Answer.SWITCH : Answer.UNEXPECTED;
    }

    /** Writes the upgrade back into a 101 head that {@link HeaderRewriter#forClient} cleaned. */
    public static void confirm(HttpResponse switching, String protocol) {
        forward(switching.headers(), protocol);
    }
}
