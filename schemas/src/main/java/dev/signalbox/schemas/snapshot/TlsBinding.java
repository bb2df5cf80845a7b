package dev.signalbox.schemas.snapshot;

import dev.signalbox.schemas.crypto.SealedKey;

/**
 * A host served over TLS with the certificate of a kubernetes.io/tls Secret. The private key stays sealed
 * as the watcher published it: the compiler never opens it, proxies do.
 *
 * @param secret     cluster/namespace/name of the Secret, also the context its key is sealed for
 * @param privateKey the Secret's sealed tls.key
 * @param clientAuth client certificate authentication for the host, or null for none (an additive field:
 *                   absent in older records)
 */
public record TlsBinding(String host, String secret, String certificatePem, SealedKey privateKey,
                         ClientAuth clientAuth) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public TlsBinding {
    }

    /** A binding without client certificate authentication. */
    public TlsBinding(String host, String secret, String certificatePem, SealedKey privateKey) {
        this(host, secret, certificatePem, privateKey, null);
    }
}
