package dev.signalbox.proxy.netty;

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
 * PKCS#8 keys ("BEGIN PRIVATE KEY", RSA or EC) are read with the JDK: given the PEM, Netty loads Bouncy
 * Castle to read them, about a second of a proxy's start on 2 cores. A key in another form (PKCS#1
 * "BEGIN RSA PRIVATE KEY", SEC1 "BEGIN EC PRIVATE KEY") is not read here: {@link #pkcs8Key} answers null
 * and the caller hands Netty the PEM, which it reads with Bouncy Castle. Key bytes decoded here are zeroed
 * once the key object holds them. Pure; any thread.
 */
final class PemMaterial {
    private static final byte[] BEGIN = "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "-----END PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
    private static final List<String> ALGORITHMS = List.of("RSA", "EC");

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
     * The PKCS#8 RSA or EC key of {@code pem}; null when it holds a key in another form or of another
     * algorithm (for Netty to read).
     */
    static PrivateKey pkcs8Key(byte[] pem) throws GeneralSecurityException {
        int begin = indexOf(pem, BEGIN, 0);
        int end = begin < 0 ? -1 : indexOf(pem, END, begin);
        if (end < 0) {
            return null;
        }
        byte[] base64 = Arrays.copyOfRange(pem, begin + BEGIN.length, end);
        byte[] der = null;
        try {
            // The MIME decoder skips line breaks and anything else outside the alphabet.
            der = Base64.getMimeDecoder().decode(base64);
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
            if (der != null) {
                Arrays.fill(der, (byte) 0);
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
