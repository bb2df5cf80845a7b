package dev.signalbox.schemas.event;

/** v1 Secret of type kubernetes.io/tls: data["tls.crt"] and data["tls.key"], decoded to PEM text. */
public record TlsSecretState(String certificatePem, String privateKeyPem) implements ObjectState {
    @Override
    public Kind kind() {
        return Kind.SECRET;
    }

    @Override
    public String toString() {
        return "TlsSecretState[certificatePem=" + (certificatePem == null ? 0 : certificatePem.length())
                + " chars, privateKeyPem=<redacted>]";
    }
}
