package dev.signalbox.proxy.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;

/**
 * Rewrites message heads as they cross the proxy: removes the fields that belong to one connection, writes
 * the identity fields (X-Forwarded-*, X-Real-IP) from what the proxy saw, and frames the body for the next
 * hop from what the proxy parsed, never from the peer's framing fields. Pure functions that edit the head
 * in place (the one shared state is a cache of the version's header value); callers on an event loop own the
 * message.
 */
public final class HeaderRewriter {
    public static final AsciiString X_SIGNALBOX_VERSION = AsciiString.cached("x-signalbox-version");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");

    /** Connection-specific fields (RFC 9110 7.6.1), plus those any Connection field names. */
    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
            AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"), HttpHeaderNames.TE,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    /**
     * Fields a Connection field may name but that are never removed for it: the message's framing and its
     * routing. Removing them would let a peer change where a body ends on the next hop (request smuggling)
     * or what host it is for. RFC 9110 7.6.1 lets an intermediary ignore such nominations; framing is
     * rewritten from the parsed message anyway, as nginx and Envoy do.
     */
    private static final Set<String> NEVER_NOMINATED = Set.of("content-length", "transfer-encoding", "host");

    /** Identity fields written by a proxy; from a peer that is not trusted they are removed, whatever it says. */
    private static final List<AsciiString> IDENTITY = List.of(AsciiString.cached("x-real-ip"),
            AsciiString.cached("forwarded"), AsciiString.cached("x-original-forwarded-for"));
    /** The client certificate fields (ingress-nginx's names): only this proxy writes them, whoever the peer. */
    private static final AsciiString CLIENT_CERTIFICATE_PREFIX = AsciiString.cached("ssl-client-");
    private static final List<AsciiString> IDENTITY_PREFIXES = List.of(AsciiString.cached("x-forwarded-"),
            CLIENT_CERTIFICATE_PREFIX);

    /** The prefix of Netty's {@code x-http2-*} fields ({@code HttpConversionUtil.ExtensionHeaderNames}). */
    private static final AsciiString HTTP2_EXTENSION_PREFIX = AsciiString.cached("x-http2-");

    private HeaderRewriter() {
    }

    /**
     * What the proxy knows of the client connection a request came on.
     *
     * @param peer    the address of the connection's peer, as an IP literal
     * @param scheme  "https" on the TLS listener, else "http"
     * @param port    the port the connection was accepted on
     * @param trusted the peers whose identity fields are believed
     * @param clientCertificate the {@code ssl-client-*} fields describing the client's certificate (ingress-nginx's
     *                          names), written after every such field a peer sent was removed; empty for none
     * @param peerTrusted whether {@code trusted} holds {@code peer}: decided once per connection, read by every
     *                    request on it (the HTTPS redirect and the identity fields)
     */
    public record Forwarding(String peer, String scheme, int port, TrustedProxies trusted,
                             Map<String, String> clientCertificate, boolean peerTrusted) {
        public Forwarding {
            clientCertificate = Map.copyOf(clientCertificate);
        }

        public Forwarding(String peer, String scheme, int port, TrustedProxies trusted,
                          Map<String, String> clientCertificate) {
            this(peer, scheme, port, trusted, clientCertificate, trusted.contains(peer));
        }

        /** A connection without client certificate fields. */
        public Forwarding(String peer, String scheme, int port, TrustedProxies trusted) {
            this(peer, scheme, port, trusted, Map.of());
        }
    }

    public static void stripHopByHop(HttpHeaders headers) {
        if ((connectionValues(headers) & OTHER) != 0) {
            for (String n : nominated(headers)) {
                headers.remove(n);
            }
        }
        for (AsciiString n : HOP_BY_HOP) {
            headers.remove(n);
        }
    }

    /** {@link #connectionValues}: a Connection value that is keep-alive, one that is close, one that is anything else. */
    private static final int KEEP_ALIVE = 1;
    private static final int CLOSE = 2;
    private static final int OTHER = 4;

    /**
     * What the Connection values say, each taken whole, as the bits above (0 without a Connection field): nearly every
     * message says only keep-alive or close, and a message without one (most HTTP/1.1 requests) is answered by a
     * look-up, without an iterator.
     */
    private static int connectionValues(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return 0;
        }
        int seen = 0;
        for (Iterator<? extends CharSequence> it = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION); it.hasNext(); ) {
            CharSequence value = it.next();
            seen |= HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(value) ? KEEP_ALIVE
                    : HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(value) ? CLOSE : OTHER;
        }
        return seen;
    }

    /**
     * Whether {@code message} lets its connection stay open: {@link HttpUtil#isKeepAlive}'s answer. When each Connection
     * value is only keep-alive or close (nearly every message: nginx's responses say keep-alive, most requests have
     * none), the one walk of {@link #connectionValues} answers it, without Netty's search for a token in each value,
     * which profiled at about 1.5 % of the proxy's CPU on every response. Any other value gets Netty's answer.
     */
    public static boolean keepAlive(HttpMessage message) {
        int seen = connectionValues(message.headers());
        if ((seen & OTHER) != 0) {
            return HttpUtil.isKeepAlive(message);
        }
        return (seen & CLOSE) == 0 && (message.protocolVersion().isKeepAliveDefault() || (seen & KEEP_ALIVE) != 0);
    }

    /** The fields the Connection fields name, less those never removed for it. */
    private static List<String> nominated(HttpHeaders headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !NEVER_NOMINATED.contains(t)) {
                    named.add(t);
                }
            }
        }
        return named;
    }

    /**
     * Prepares a client's request for the backend: HTTP/1.1 with a persistent connection, the hop-by-hop
     * fields removed, the body framed as the proxy parsed it, and the identity fields written. The
     * {@code x-http2-*} fields Netty adds when it converts an HTTP/2 stream are removed too, so a backend
     * sees the same request whichever version the client spoke (and a client cannot fake them).
     */
    public static void forBackend(HttpRequest request, Forwarding from) {
        HttpHeaders h = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        stripHopByHop(h);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        frame(request, chunked);
        identify(h, from);
    }

    /**
     * Sets the request's framing from what the decoder delivered (RFC 9112 6.3): a whole message gets the
     * length of its content; a chunked one stays chunked; one with a length keeps the length Netty parsed,
     * written as one number; any other request has no body.
     */
    private static void frame(HttpRequest request, boolean chunked) {
        HttpHeaders h = request.headers();
        if (request instanceof FullHttpRequest full) {
            int length = full.content().readableBytes();
            if (length > 0 || h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                h.set(HttpHeaderNames.CONTENT_LENGTH, length);
            }
            return;
        }
        if (chunked) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            return;
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (length >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
    }

    /**
     * Writes X-Forwarded-For/Proto/Host/Port and X-Real-IP. From a trusted peer, its fields are kept and
     * it is appended to X-Forwarded-For; X-Real-IP is then the nearest address in that list that is not a
     * trusted proxy (nginx's {@code real_ip_recursive}). From any other peer every identity field it sent is
     * dropped first, so nothing a client writes reaches the backend as the proxy's word; {@code ssl-client-*}
     * fields are dropped from every peer (the proxy writes them after this when it verified a certificate).
     */
    private static void identify(HttpHeaders h, Forwarding from) {
        boolean trusted = from.peerTrusted();
        removeIdentityFields(h, trusted);
        if (!h.contains(X_FORWARDED_FOR)) {
            // The common case (any untrusted client): the peer is the whole chain and the real address.
            h.set(X_FORWARDED_FOR, from.peer());
            h.set(X_REAL_IP, from.peer());
        } else {
            appendToChain(h, from);
        }
        setIfAbsent(h, X_FORWARDED_PROTO, from.scheme());
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            setIfAbsent(h, X_FORWARDED_HOST, host);
        }
        setIfAbsent(h, X_FORWARDED_PORT, Integer.toString(from.port()));
        if (!from.clientCertificate().isEmpty()) {
            from.clientCertificate().forEach(h::set);
        }
    }

    /**
     * Drops every identity field an untrusted peer sent, and the client certificate fields and Netty's
     * {@code x-http2-*} fields whoever sent them (a load balancer cannot vouch for a certificate this proxy did not
     * see); names are compared without copying them, in one pass (this runs per request).
     */
    static void removeIdentityFields(HttpHeaders h, boolean trusted) {
        List<CharSequence> names = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence n = it.next().getKey();
            if ((trusted ? isClientCertificateField(n) : isIdentityField(n)) || isHttp2Extension(n)) {
                if (names == null) {
                    names = new ArrayList<>();
                }
                names.add(n);
            }
        }
        if (names != null) {
            names.forEach(h::remove);
        }
    }

    static boolean isClientCertificateField(CharSequence name) {
        return AsciiString.regionMatches(name, true, 0, CLIENT_CERTIFICATE_PREFIX, 0, CLIENT_CERTIFICATE_PREFIX.length());
    }

    private static boolean isHttp2Extension(CharSequence name) {
        return AsciiString.regionMatches(name, true, 0, HTTP2_EXTENSION_PREFIX, 0, HTTP2_EXTENSION_PREFIX.length());
    }

    static boolean isIdentityField(CharSequence name) {
        for (AsciiString n : IDENTITY) {
            if (n.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        for (AsciiString prefix : IDENTITY_PREFIXES) {
            if (AsciiString.regionMatches(name, true, 0, prefix, 0, prefix.length())) {
                return true;
            }
        }
        return false;
    }

    /** A trusted peer's X-Forwarded-For gets the peer appended; X-Real-IP is the nearest untrusted hop. */
    private static void appendToChain(HttpHeaders h, Forwarding from) {
        List<String> chain = forwardedChain(h);
        chain.add(from.peer());
        h.set(X_FORWARDED_FOR, String.join(", ", chain));
        h.set(X_REAL_IP, from.trusted().clientAddress(chain));
    }

    /** The hops the X-Forwarded-For fields list, oldest first. */
    private static List<String> forwardedChain(HttpHeaders h) {
        List<String> chain = new ArrayList<>();
        for (String value : h.getAll(X_FORWARDED_FOR)) {
            for (String hop : value.split(",")) {
                if (!hop.isBlank()) {
                    chain.add(hop.trim());
                }
            }
        }
        return chain;
    }

    /**
     * The client's address as the proxy trusts it, for source ranges (ingress-nginx checks {@code allow}/{@code deny}
     * against {@code $remote_addr} after its realip module): the peer ({@link Forwarding#peer()}: the socket's or the
     * PROXY protocol header's address), or, when the peer is a trusted proxy, the nearest untrusted hop of the
     * request's X-Forwarded-For. Call before {@link #forBackend}, which rewrites those fields.
     */
    public static String clientAddress(HttpHeaders h, Forwarding from) {
        if (!from.peerTrusted() || !h.contains(X_FORWARDED_FOR)) {
            return from.peer();
        }
        List<String> chain = forwardedChain(h);
        chain.add(from.peer());
        return from.trusted().clientAddress(chain);
    }

    private static void setIfAbsent(HttpHeaders h, AsciiString name, String value) {
        if (!h.contains(name)) {
            h.set(name, value);
        }
    }

    /**
     * Prepares a backend's response head for the client. The response is always framed: by the length the
     * decoder parsed, by chunking for an HTTP/1.1 client, or, for an HTTP/1.0 client, by closing the
     * connection after it.
     *
     * @param clientVersion   the version the client spoke; an HTTP/1.0 client cannot read chunked bodies
     * @param requestMethod   the client's method; a HEAD response has no body whatever its fields say
     * @param clientKeepAlive whether the client connection stays open after this response
     * @return whether the client connection may stay open after this response
     */
    public static boolean forClient(HttpResponse response, HttpVersion clientVersion, HttpMethod requestMethod,
                                    boolean clientKeepAlive, long snapshotVersion) {
        HttpHeaders h = response.headers();
        long length = HttpUtil.isTransferEncodingChunked(response) ? -1L : HttpUtil.getContentLength(response, -1L);
        stripHopByHop(h);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        int code = response.status().code();
        boolean bodyless = code < 200 || code == 204 || code == 304 || HttpMethod.HEAD.equals(requestMethod);
        boolean keepAlive = clientKeepAlive;
        if (length >= 0) {
            if (!plainNumber(h.get(HttpHeaderNames.CONTENT_LENGTH))) {
                h.set(HttpHeaderNames.CONTENT_LENGTH, length);
            }
        } else if (!bodyless) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                // RFC 9112 6.3: without a length or chunking, only closing the connection ends the body.
                keepAlive = false;
            }
        }
        if (code >= 200) {
            HttpUtil.setKeepAlive(h, clientVersion, keepAlive);
        }
        h.set(X_SIGNALBOX_VERSION, versionValue(snapshotVersion));
        return keepAlive;
    }

    /**
     * Whether the Content-Length value the length was read from is written as a number: digits, no leading zero. The
     * backend decoders (HTTP/1.1 and HTTP/2) leave one such field, so nearly every response keeps its own instead of
     * a new string and field; anything else (a sign, leading zeros, no field: Netty infers the length of an old
     * WebSocket handshake) is written as the number.
     */
    private static boolean plainNumber(String value) {
        if (value == null || value.isEmpty() || (value.charAt(0) == '0' && value.length() > 1)) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The latest version's x-signalbox-version value, shared by the event loops; replaced when the version moves. */
    private static volatile VersionValue latestVersion = new VersionValue(-1, AsciiString.EMPTY_STRING);

    private record VersionValue(long version, AsciiString text) {
    }

    /**
     * {@code version} as a header value, made once per version rather than per response (the encoder copies an
     * {@code AsciiString} as it is). Loops that race to replace it each store a right value for their version.
     */
    public static AsciiString versionValue(long version) {
        VersionValue v = latestVersion;
        if (v.version() != version) {
            v = new VersionValue(version, new AsciiString(Long.toString(version)));
            latestVersion = v;
        }
        return v.text();
    }
}
