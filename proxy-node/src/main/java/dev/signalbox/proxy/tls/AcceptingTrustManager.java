package dev.signalbox.proxy.tls;

import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server side's trust manager for client certificates: it names the host's CAs in the certificate request (so
 * a client picks the right certificate) but accepts any certificate during the handshake. Trust is decided after
 * the handshake by {@link ClientCertificateVerifier}, as nginx does: a failed certificate gets an HTTP answer
 * (400, or the host's error page) rather than a TLS alert, and {@code optional_no_ca} passes an unverified one on.
 * Immutable; any thread.
 */
final class AcceptingTrustManager extends X509ExtendedTrustManager {
    private final X509Certificate[] named;

    AcceptingTrustManager(List<X509Certificate> named) {
        this.named = named.toArray(new X509Certificate[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        throw new UnsupportedOperationException("a server-side trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        throw new UnsupportedOperationException("a server-side trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("a server-side trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return named.clone();
    }
}
