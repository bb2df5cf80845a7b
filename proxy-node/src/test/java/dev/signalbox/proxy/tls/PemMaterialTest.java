package dev.signalbox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.spec.InvalidKeySpecException;
import java.time.Instant;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PemMaterialTest {
    private static final KeyPair RSA = generate("RSA", 2048);
    private static final KeyPair EC = generate("EC", 256);

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("PKCS#8 RSA", pkcs8(RSA.getPrivate()), RSA.getPrivate()),
                Arguments.of("PKCS#8 EC", pkcs8(EC.getPrivate()), EC.getPrivate()),
                Arguments.of("PKCS#8 after other PEM blocks and text", "Bag Attributes\n" + cert() + pkcs8(EC.getPrivate()),
                        EC.getPrivate()),
                Arguments.of("PKCS#8 with CRLF line ends", pkcs8(RSA.getPrivate()).replace("\n", "\r\n"), RSA.getPrivate()),
                Arguments.of("PKCS#1 RSA", pkcs1(RSA.getPrivate()), RSA.getPrivate()),
                Arguments.of("SEC1 EC is left to Netty", "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n", null),
                Arguments.of("no end marker", "-----BEGIN PRIVATE KEY-----\nMIIE\n", null),
                Arguments.of("no key at all", "", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void readsPkcs8KeysWithTheJdk(String name, String pem, PrivateKey expected) throws Exception {
        PrivateKey key = PemMaterial.privateKey(pem.getBytes(StandardCharsets.US_ASCII));
        if (expected == null) {
            assertNull(key);
        } else {
            assertEquals(expected.getAlgorithm(), key.getAlgorithm());
            assertArrayEquals(expected.getEncoded(), key.getEncoded());
        }
    }

    @Test
    void aPkcs8BlockOfNoKnownKeyIsLeftToNettyAndBadBase64IsAnError() {
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00})
                + "\n-----END PRIVATE KEY-----\n";
        assertNull(assertDoesNotThrowKey(pem));
        assertThrows(InvalidKeySpecException.class,
                () -> PemMaterial.privateKey("-----BEGIN PRIVATE KEY-----\nMII=E=\n-----END PRIVATE KEY-----\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void readsEveryCertificateOfAChainInOrder() throws Exception {
        String leaf = cert("leaf.invalid");
        String issuer = cert("issuer.invalid");
        var chain = PemMaterial.certificates((leaf + issuer).getBytes(StandardCharsets.US_ASCII));
        assertEquals(2, chain.length);
        assertEquals("CN=leaf.invalid", chain[0].getSubjectX500Principal().getName());
        assertEquals("CN=issuer.invalid", chain[1].getSubjectX500Principal().getName());
        assertThrows(CertificateException.class, () -> PemMaterial.certificates(new byte[0]));
    }

    private static PrivateKey assertDoesNotThrowKey(String pem) {
        try {
            return PemMaterial.privateKey(pem.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String pkcs8(PrivateKey k) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(k.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** The PKCS#1 RSAPrivateKey inside the JDK's PKCS#8 encoding (after its 26-byte header for a 2048-bit key). */
    private static String pkcs1(PrivateKey k) {
        byte[] pkcs8 = k.getEncoded();
        if (pkcs8[22] != 0x04 || pkcs8[23] != (byte) 0x82) {
            throw new IllegalStateException("unexpected PKCS#8 layout");
        }
        byte[] pkcs1 = java.util.Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        return "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs1)
                + "\n-----END RSA PRIVATE KEY-----\n";
    }

    private static String cert() {
        return cert("x.invalid");
    }

    private static String cert(String name) {
        try {
            return DefaultCertificate.generate(name, Instant.now(), new SecureRandom()).certificate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
