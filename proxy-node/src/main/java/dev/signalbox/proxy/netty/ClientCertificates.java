package dev.signalbox.proxy.netty;

import dev.signalbox.proxy.http.RequestChecks;
import dev.signalbox.proxy.tls.ClientCertificateVerifier;
import dev.signalbox.proxy.tls.TlsContexts;
import dev.signalbox.routing.RequestTarget;
import dev.signalbox.schemas.snapshot.ClientAuth;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

/**
 * Client certificate authentication on the HTTPS listener (ingress-nginx's {@code auth-tls-*}). {@link Sni}
 * records which host's settings the handshake used (the certificate is chosen by SNI); the first request of a
 * connection then verifies what the client presented ({@link ClientCertificateVerifier}) and the verdict is kept on
 * the connection: for the backend the {@code ssl-client-verify}, {@code ssl-client-subject-dn},
 * {@code ssl-client-issuer-dn} and, when asked, {@code ssl-client-cert} fields ingress-nginx sends; for a client
 * without a required certificate or with one that fails, nginx's 400 ("No required SSL certificate was sent", "The
 * SSL certificate error"), a 302 to the host's error page when it is a URL, or when it is a path the request served as
 * a GET of that path ({@link #internalRedirect}). A request whose Host needs other client certificate
 * settings than the connection's SNI got is 421 (RFC 9110 15.5.20), so a client cannot skip verification by naming
 * another host in SNI. Plain HTTP connections have none of this. Event loops only.
 */
final class ClientCertificates {
    static final String SSL_CLIENT_VERIFY = "ssl-client-verify";
    static final String SSL_CLIENT_SUBJECT_DN = "ssl-client-subject-dn";
    static final String SSL_CLIENT_ISSUER_DN = "ssl-client-issuer-dn";
    static final String SSL_CLIENT_CERT = "ssl-client-cert";

    /** What the handshake of a TLS connection chose: the server name and that host's client certificate settings. */
    private record Handshake(String serverName, TlsContexts.ClientTrust trust, TlsContexts contexts) {
    }

    /** A connection's verdict: the fields for the backend, or the answer to every request on it. */
    private record Verdict(Map<String, String> fields, Refusal refusal) {
        static final Verdict NONE = new Verdict(Map.of(), null);
    }

    /**
     * A request refused for its client certificate.
     *
     * @param location where to redirect (the host's {@code auth-tls-error-page}), or null for {@code status}
     */
    record Refusal(HttpResponseStatus status, String reason, String location) {
        FullHttpResponse response(ByteBufAllocator alloc, long snapshotVersion, boolean keepAlive) {
            if (location == null) {
                return Responses.plain(alloc, status, reason, snapshotVersion, keepAlive);
            }
            // nginx's error_page with a URL answers 302 (a path here: a request with a body, see internalRedirect).
            FullHttpResponse r = Responses.plain(alloc, HttpResponseStatus.FOUND, reason + "; see " + location,
                    snapshotVersion, keepAlive);
            r.headers().set(HttpHeaderNames.LOCATION, location);
            return r;
        }
    }

    /**
     * ingress-nginx writes {@code auth-tls-error-page} as {@code error_page 495 496 = VALUE}: a URL is a 302, but a path
     * is nginx's internal redirect, the request served as a GET (a HEAD stays a HEAD) of that path by whichever route
     * takes it, without asking for a certificate again (a 302 to it would loop: the client's next request fails the
     * same way). Rewrites {@code request}'s method and target and returns the new target, or returns null when
     * {@code refusal} is to be answered: no refusal, no error page or a URL, or a request with a body, which is not
     * dropped here but redirected, so that the client's GET of the page is what gets served.
     */
    static RequestTarget.Valid internalRedirect(Refusal refusal, HttpRequest request) {
        if (refusal == null || refusal.location() == null || !refusal.location().startsWith("/")
                || !RequestChecks.hasNoBody(request)
                || !(RequestTarget.parse("GET", refusal.location()) instanceof RequestTarget.Valid page)) {
            return null;
        }
        if (!request.method().equals(HttpMethod.HEAD)) {
            request.setMethod(HttpMethod.GET);
        }
        request.setUri(page.forwardUri());
        return page;
    }

    private static final AttributeKey<Handshake> HANDSHAKE = AttributeKey.valueOf("signalbox.tls-handshake");
    private static final AttributeKey<Verdict> VERDICT = AttributeKey.valueOf("signalbox.client-certificate");

    private ClientCertificates() {
    }

    /** The HTTPS listener's SNI handler, which also records the host settings the handshake used. */
    static final class Sni extends SniHandler {
        private final TlsContexts contexts;

        Sni(TlsContexts contexts, long handshakeTimeoutMillis) {
            super(contexts, handshakeTimeoutMillis);
            this.contexts = contexts;
        }

        @Override
        protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) throws Exception {
            ctx.channel().attr(HANDSHAKE).set(new Handshake(hostname, contexts.clientTrust(hostname), contexts));
            super.replaceHandler(ctx, hostname, sslContext);
        }
    }

    /** Why a request for {@code host} on {@code ch} (a connection or an HTTP/2 stream) is refused, or null. */
    static Refusal check(Channel ch, String host) {
        Channel connection = connection(ch);
        Handshake hs = connection.attr(HANDSHAKE).get();
        if (hs == null) {
            return null;
        }
        TlsContexts.ClientTrust forHost = hs.contexts().clientTrust(hostOnly(host));
        if (forHost != null && forHost.auth().verify() != ClientAuth.Verify.OFF
                && (hs.trust() == null || !Objects.equals(forHost.auth(), hs.trust().auth()))) {
            return new Refusal(HttpResponseStatus.MISDIRECTED_REQUEST, "host " + host + " requires client certificates "
                    + "that this TLS connection, made for server name " + hs.serverName() + ", did not ask for", null);
        }
        return verdict(connection, hs).refusal();
    }

    /** The {@code ssl-client-*} fields for the backend of a request on {@code ch}; empty without client certificates. */
    static Map<String, String> fields(Channel ch) {
        Channel connection = connection(ch);
        Handshake hs = connection.attr(HANDSHAKE).get();
        return hs == null ? Map.of() : verdict(connection, hs).fields();
    }

    private static Channel connection(Channel ch) {
        return ch.parent() != null && !(ch.parent() instanceof ServerChannel) ? ch.parent() : ch;
    }

    private static Verdict verdict(Channel connection, Handshake hs) {
        Verdict v = connection.attr(VERDICT).get();
        if (v == null) {
            v = decide(connection, hs);
            connection.attr(VERDICT).set(v);
        }
        return v;
    }

    private static Verdict decide(Channel connection, Handshake hs) {
        if (hs.trust() == null) {
            return Verdict.NONE;
        }
        ClientAuth auth = hs.trust().auth();
        if (auth.verify() == ClientAuth.Verify.OFF) {
            return new Verdict(Map.of(SSL_CLIENT_VERIFY, "NONE"), null);
        }
        ClientCertificateVerifier.Result r = ClientCertificateVerifier.verify(presented(connection), hs.trust().cas(),
                auth.depth(), Instant.now());
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(SSL_CLIENT_VERIFY, r.verify());
        X509Certificate leaf = r instanceof ClientCertificateVerifier.Result.Success s ? s.leaf()
                : r instanceof ClientCertificateVerifier.Result.Failed f ? f.leaf() : null;
        if (leaf != null) {
            fields.put(SSL_CLIENT_SUBJECT_DN, leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
            fields.put(SSL_CLIENT_ISSUER_DN, leaf.getIssuerX500Principal().getName(X500Principal.RFC2253));
            if (auth.passCertificate()) {
                fields.put(SSL_CLIENT_CERT, escapedPem(leaf));
            }
        }
        Refusal refusal = null;
        if (r instanceof ClientCertificateVerifier.Result.None && auth.verify() == ClientAuth.Verify.ON) {
            refusal = new Refusal(HttpResponseStatus.BAD_REQUEST, "No required SSL certificate was sent", auth.errorPage());
        } else if (r instanceof ClientCertificateVerifier.Result.Failed f && auth.verify() != ClientAuth.Verify.OPTIONAL_NO_CA) {
            refusal = new Refusal(HttpResponseStatus.BAD_REQUEST, "The SSL certificate error (" + f.reason() + ")",
                    auth.errorPage());
        }
        return new Verdict(Map.copyOf(fields), refusal);
    }

    /** The chain the client presented, leaf first; empty when it sent none. */
    private static List<X509Certificate> presented(Channel connection) {
        SslHandler ssl = connection.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException none) {
            return List.of();
        }
    }

    /** The certificate as PEM, percent-encoded but for the unreserved characters (nginx's $ssl_client_escaped_cert). */
    static String escapedPem(X509Certificate cert) {
        String pem;
        try {
            pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            return "";
        }
        StringBuilder out = new StringBuilder(pem.length() * 3 / 2);
        for (byte b : pem.getBytes(StandardCharsets.US_ASCII)) {
            char c = (char) b;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The host of a Host value, without its port ({@code [::1]:443} is {@code ::1}). */
    private static String hostOnly(String host) {
        if (host == null) {
            return null;
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.indexOf(':');
        return colon < 0 || host.indexOf(':', colon + 1) >= 0 ? host : host.substring(0, colon);
    }
}
