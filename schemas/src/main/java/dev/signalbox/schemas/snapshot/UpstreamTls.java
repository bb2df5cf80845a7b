package dev.signalbox.schemas.snapshot;

import dev.signalbox.schemas.crypto.SealedKey;

/**
 * How a proxy speaks HTTPS to a backend (the Ingress annotation {@code signalbox.dev/backend-protocol:
 * "HTTPS"} or ingress-nginx's equivalents). The client key stays sealed as the watcher published it: the
 * compiler copies it, proxies open it.
 *
 * @param serverName           sent as SNI and, when {@code verify}, the name the backend's certificate must carry
 * @param verify               whether the backend's certificate chain is checked against
 *                             {@code caCertificatePem} and its name against {@code serverName}
 * @param secret               cluster/namespace/name of the Secret the CA and client certificate come from, also
 *                             the context {@code clientKey} is sealed for; null when none is named
 * @param caCertificatePem     the Secret's ca.crt when {@code verify}, else null
 * @param clientCertificatePem the Secret's tls.crt, presented to the backend (mTLS); null for none
 * @param clientKey            the Secret's tls.key, sealed; present exactly when {@code clientCertificatePem} is
 */
public record UpstreamTls(String serverName, boolean verify, String secret, String caCertificatePem,
                          String clientCertificatePem, SealedKey clientKey) {

    /**
     * What tells these settings apart in a backend id: two Ingresses that send to the same Service port with
     * different TLS settings get different backends. The PEM texts are not needed: they follow from the secret.
     */
    public String label() {
        return "tls:" + serverName + (verify ? ",verify" : "")
                + (secret == null ? "" : ",secret=" + secret.substring(secret.indexOf('/') + 1));
    }
}
