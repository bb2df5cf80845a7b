package dev.signalbox.proxy.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * The self-signed certificate a proxy presents for names no TLS Secret covers (public: the launcher's
 * class-data-sharing training makes its TLS Secret with it, without Bouncy Castle): an ECDSA P-256 key and an
 * X.509 v3 certificate for one DNS name (subject CN and subjectAltName), valid from a day before
 * {@code now} for ten years, written with the JDK alone. Netty's SelfSignedCertificate needs Bouncy Castle
 * for this, whose first use costs a proxy's start 0.8-1.5 s on 2 cores (and an RSA key another 0.1-1.8 s
 * of random prime search); this takes a few milliseconds.
 */
public final class DefaultCertificate {
    /** ecdsa-with-SHA256, 1.2.840.10045.4.3.2 */
    private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    /** id-at-commonName, 2.5.4.3 */
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    /** id-ce-subjectAltName, 2.5.29.17 */
    private static final byte[] SUBJECT_ALT_NAME = {0x06, 0x03, 0x55, 0x1d, 0x11};
    private static final Duration BACKDATE = Duration.ofDays(1);
    private static final Duration LIFETIME = Duration.ofDays(3650);

    private DefaultCertificate() {
    }

    /** PEM texts: the certificate, and its private key as PKCS#8. */
    public record Pem(String certificate, String privateKey) {
    }

    public static Pem generate(String dnsName, Instant now, SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair keys = g.generateKeyPair();
        byte[] algorithm = der(0x30, ECDSA_WITH_SHA256);
        byte[] name = der(0x30, der(0x31, der(0x30, COMMON_NAME, der(0x0c, dnsName.getBytes(StandardCharsets.UTF_8)))));
        byte[] san = der(0x30, SUBJECT_ALT_NAME, der(0x04, der(0x30, der(0x82, dnsName.getBytes(StandardCharsets.US_ASCII)))));
        byte[] tbs = der(0x30,
                der(0xa0, der(0x02, new byte[] {2})),                    // version: v3
                der(0x02, new BigInteger(127, random).setBit(0).toByteArray()), // serial: positive, non-zero
                algorithm,
                name,                                                     // issuer = subject: self-signed
                der(0x30, time(now.minus(BACKDATE)), time(now.plus(LIFETIME))),
                name,
                keys.getPublic().getEncoded(),                            // SubjectPublicKeyInfo, DER already
                der(0xa3, der(0x30, san)));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(keys.getPrivate(), random);
        s.update(tbs);
        byte[] signature = s.sign();                                      // DER ECDSA-Sig-Value already
        byte[] bits = new byte[signature.length + 1];                     // leading 0: no unused bits
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] certificate = der(0x30, tbs, algorithm, der(0x03, bits));
        return new Pem(pem("CERTIFICATE", certificate), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    }

    /** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
    private static byte[] time(Instant t) {
        var utc = t.atOffset(ZoneOffset.UTC);
        boolean utcTime = utc.getYear() < 2050;
        String text = utc.format(DateTimeFormatter.ofPattern(utcTime ? "yyMMddHHmmss'Z'" : "yyyyMMddHHmmss'Z'"));
        return der(utcTime ? 0x17 : 0x18, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** One DER element: tag, definite length, and the concatenated contents. */
    static byte[] der(int tag, byte[]... contents) {
        int length = 0;
        for (byte[] c : contents) {
            length += c.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        for (byte[] c : contents) {
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
