package dev.signalbox.proxy.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Certificates and private keys from PEM, for Netty's context builders (server and upstream alike).
 * PKCS#8 keys ("BEGIN PRIVATE KEY", RSA or EC) and PKCS#1 RSA keys ("BEGIN RSA PRIVATE KEY", as
 * cert-manager and {@code openssl genrsa -traditional} write them; wrapped into PKCS#8 here) are read with
 * the JDK: given the PEM, Netty loads Bouncy Castle to read them, about a second on 2 cores, at a proxy's
 * start or on the snapshot thread. A key in another form (SEC1 "BEGIN EC PRIVATE KEY", encrypted PKCS#8) is
 * not read here: {@link #privateKey} answers null and the caller hands Netty the PEM, which it reads with
 * Bouncy Castle. Key bytes decoded here are zeroed once the key object holds them. Pure; any thread.
 */
final class PemMaterial {
    private static final byte[] BEGIN = "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "-----END PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BEGIN_RSA = "-----BEGIN RSA PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_RSA = "-----END RSA PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
    private static final List<String> ALGORITHMS = List.of("RSA", "EC");
    /** PKCS#8 version 0 and AlgorithmIdentifier {rsaEncryption, NULL}: what precedes a wrapped PKCS#1 key. */
    private static final byte[] RSA_PKCS8_HEAD = {0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48,
            (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemMaterial() {
    }

    /** Every certificate of a PEM chain, leaf first. */
    static X509Certificate[] certificates(byte[] pem) throws CertificateException {
        Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem));
        if (all.isEmpty()) {
            throw new CertificateException("no certificate in the PEM");
        }
        return all.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
    }

    /**
     * The RSA or EC key of {@code pem} when it is PKCS#8 or PKCS#1 RSA; null when it holds a key in another
     * form or of another algorithm (for Netty to read).
     */
    static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
        PrivateKey key = decode(pem, BEGIN, END, false);
        return key != null ? key : decode(pem, BEGIN_RSA, END_RSA, true);
    }

    private static PrivateKey decode(byte[] pem, byte[] beginMarker, byte[] endMarker, boolean pkcs1)
            throws GeneralSecurityException {
        int begin = indexOf(pem, beginMarker, 0);
        int end = begin < 0 ? -1 : indexOf(pem, endMarker, begin);
        if (end < 0) {
            return null;
        }
        byte[] base64 = Arrays.copyOfRange(pem, begin + beginMarker.length, end);
        byte[] der = null;
        byte[] octets = null;
        byte[] pkcs8 = null;
        try {
            // The MIME decoder skips line breaks and anything else outside the alphabet.
            der = Base64.getMimeDecoder().decode(base64);
            if (pkcs1) {
                // PrivateKeyInfo ::= SEQUENCE { version 0, {rsaEncryption, NULL}, OCTET STRING RSAPrivateKey }
                octets = DefaultCertificate.der(0x04, der);
                pkcs8 = DefaultCertificate.der(0x30, RSA_PKCS8_HEAD, octets);
                return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            }
            for (String algorithm : ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (InvalidKeySpecException e) {
                    // not this algorithm's
                }
            }
            return null;
        } catch (IllegalArgumentException e) {
            throw new InvalidKeySpecException("the private key is not valid base64: " + e.getMessage());
        } finally {
            Arrays.fill(base64, (byte) 0);
            for (byte[] b : new byte[][] {der, octets, pkcs8}) {
                if (b != null) {
                    Arrays.fill(b, (byte) 0);
                }
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
