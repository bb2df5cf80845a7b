package dev.signalbox.schemas.snapshot;

/**
 * Client certificate authentication for a TLS host (ingress-nginx's {@code auth-tls-*} annotations): which CA
 * verifies the certificates clients present, whether one is required, how deep a chain may be, and what the
 * backend is told. Only public data: the CA certificates, never a key.
 *
 * @param secret              cluster/namespace/name of the Secret whose ca.crt this is
 * @param caCertificatePem    the CA certificates (PEM); null when {@code problem} says why there are none
 * @param verify              ingress-nginx's {@code auth-tls-verify-client}
 * @param depth               the longest chain accepted from the client, not counting the CA ({@code auth-tls-verify-depth})
 * @param passCertificate     whether the backend gets the URL-escaped PEM in {@code ssl-client-cert}
 * @param errorPage           where a client whose certificate fails is redirected instead of a 400, or null
 * @param problem             why the settings cannot be honoured (a missing or unreadable CA): proxies then refuse
 *                            TLS for the host rather than let clients in without a certificate; null when usable
 */
public record ClientAuth(String secret, String caCertificatePem, Verify verify, int depth, boolean passCertificate,
                         String errorPage, String problem) {

    /** ingress-nginx's {@code auth-tls-verify-client} values. */
    public enum Verify {
        /** A certificate the CA verifies is required. */
        ON,
        /** No certificate is asked for. */
        OFF,
        /** A certificate is asked for; one that is presented must verify. */
        OPTIONAL,
        /** A certificate is asked for and passed on whether or not it verifies. */
        OPTIONAL_NO_CA
    }
}
