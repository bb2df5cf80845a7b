package dev.signalbox.schemas.snapshot;

import dev.signalbox.schemas.crypto.SealedKey;

/**
 * A host served over TLS with the certificate of a kubernetes.io/tls Secret. The private key stays sealed
 * as the watcher published it: the compiler never opens it, proxies do.
 *
 * @param secret     cluster/namespace/name of the Secret, also the context its key is sealed for
 * @param privateKey the Secret's sealed tls.key
 */
public record TlsBinding(String host, String secret, String certificatePem, SealedKey privateKey) {
}
