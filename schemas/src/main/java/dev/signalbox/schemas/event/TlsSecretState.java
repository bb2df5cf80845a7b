package dev.signalbox.schemas.event;

import dev.signalbox.schemas.crypto.SealedKey;

/**
 * v1 Secret of type kubernetes.io/tls: data["tls.crt"] and data["ca.crt"] as PEM text, and data["tls.key"]
 * sealed by the watcher (it never enters Kafka in clear).
 *
 * @param certificatePem    tls.crt, or null when the Secret has none
 * @param privateKey        tls.key sealed with the watcher's active key-encryption key, or null when the Secret
 *                          has none or the watcher could not seal it ({@code keyNotPublished} says why)
 * @param caCertificatePem  ca.crt (a CA bundle, used to verify backends), or null
 * @param keyNotPublished   why a tls.key present in the Secret was left out, or null
 */
public record TlsSecretState(String certificatePem, SealedKey privateKey, String caCertificatePem,
                             String keyNotPublished) implements ObjectState {
    @Override
    public Kind kind() {
        return Kind.SECRET;
    }

    /** The context a Secret's key is sealed for: its {@code cluster/namespace/name}. */
    public static String sealingContext(String clusterId, String namespace, String name) {
        return clusterId + "/" + namespace + "/" + name;
    }
}
