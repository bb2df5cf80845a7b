package dev.signalbox.proxy.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies the certificate chain a client presented against the CA certificates of a host's
 * {@code auth-tls-secret}, as nginx's {@code ssl_verify_client} does, and words the outcome as nginx's
 * {@code $ssl_client_verify}: SUCCESS, NONE, or FAILED with OpenSSL's reason. The handshake itself accepts any
 * certificate (so a failure can be answered with nginx's 400 or an error page instead of a TLS alert); this is
 * where trust is decided. PKIX path validation at {@code at}, no revocation checks; the chain (the CA not
 * counted) may be at most {@code depth} certificates long ({@code auth-tls-verify-depth}: 1 means the client's
 * certificate is issued by the CA itself). Pure apart from the JDK's certificate classes; any thread.
 */
public final class ClientCertificateVerifier {
    private ClientCertificateVerifier() {
    }

    /** The outcome; {@code leaf} is the client's certificate when it presented one. */
    public sealed interface Result {
        /** nginx's {@code $ssl_client_verify}. */
        String verify();

        record Success(X509Certificate leaf) implements Result {
            @Override
            public String verify() {
                return "SUCCESS";
            }
        }

        record None() implements Result {
            @Override
            public String verify() {
                return "NONE";
            }
        }

        record Failed(X509Certificate leaf, String reason) implements Result {
            @Override
            public String verify() {
                return "FAILED:" + reason;
            }
        }
    }

    /** Verifies {@code chain} (leaf first, as presented; empty for none) against {@code cas} at {@code at}. */
    public static Result verify(List<X509Certificate> chain, List<X509Certificate> cas, int depth, Instant at) {
        if (chain.isEmpty()) {
            return new Result.None();
        }
        X509Certificate leaf = chain.get(0);
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate ca : cas) {
            anchors.add(new TrustAnchor(ca, null));
        }
        // The path to validate ends below the anchor: a client may send the CA too.
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (cas.contains(c)) {
                break;
            }
            path.add(c);
        }
        if (path.isEmpty()) {
            return new Result.Failed(leaf, "unable to get local issuer certificate");
        }
        if (anchors.isEmpty()) {
            return new Result.Failed(leaf, "unable to get local issuer certificate");
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (CertPathValidatorException e) {
            return new Result.Failed(leaf, reason(e));
        } catch (GeneralSecurityException | RuntimeException e) {
            return new Result.Failed(leaf, "certificate verify failed");
        }
        if (path.size() > depth) {
            return new Result.Failed(leaf, "certificate chain too long");
        }
        return new Result.Success(leaf);
    }

    /** OpenSSL's words for the common failures (what nginx puts after FAILED:). */
    private static String reason(CertPathValidatorException e) {
        if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
            return "certificate has expired";
        }
        if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return "certificate is not yet valid";
        }
        if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
            return "unable to get local issuer certificate";
        }
        if (e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
            return "certificate signature failure";
        }
        return "certificate verify failed";
    }
}
