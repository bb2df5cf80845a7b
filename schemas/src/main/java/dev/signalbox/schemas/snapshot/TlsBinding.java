package dev.signalbox.schemas.snapshot;

/**
 * A host served over TLS with the certificate of a kubernetes.io/tls Secret.
 *
 * @param secret cluster/namespace/name of the Secret
 */
public record TlsBinding(String host, String secret, String certificatePem, String privateKeyPem) {
    @Override
    public String toString() {
        return "TlsBinding[host=" + host + ", secret=" + secret + ", privateKeyPem=<redacted>]";
    }
}
