package dev.signalbox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DefaultCertificateTest {
    /** Times on both sides of the UTCTime / GeneralizedTime switch in 2050, and a long name (long-form lengths). */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("today", "signalbox-default.invalid", Instant.parse("2026-11-29T05:00:00Z")),
                Arguments.of("valid until after 2050 (GeneralizedTime)", "signalbox-default.invalid",
                        Instant.parse("2045-06-01T00:00:00Z")),
                Arguments.of("a name over 127 bytes", "a".repeat(60) + "." + "b".repeat(60) + ".invalid",
                        Instant.parse("2026-01-01T00:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void writesACertificateTheJdkReadsAndVerifies(String name, String dnsName, Instant now) throws Exception {
        DefaultCertificate.Pem pem = DefaultCertificate.generate(dnsName, now, new SecureRandom());
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.certificate().getBytes(StandardCharsets.US_ASCII)));

        assertEquals(3, cert.getVersion());
        assertEquals("CN=" + dnsName, cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals(List.of(List.of(2, dnsName)), cert.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertTrue(cert.getSerialNumber().signum() > 0);
        cert.verify(cert.getPublicKey());
        cert.checkValidity(Date.from(now));
        assertEquals(now.minusSeconds(86_400), cert.getNotBefore().toInstant());
        assertEquals(now.plusSeconds(3650L * 86_400), cert.getNotAfter().toInstant());

        // The key is the certificate's: what it signs, the certificate's public key verifies.
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(pem.privateKey().replaceAll("-----[A-Z ]+-----", ""))));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key);
        s.update(new byte[] {1, 2, 3});
        byte[] signed = s.sign();
        s.initVerify(cert.getPublicKey());
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(signed));
    }

    @Test
    void nettyBuildsAServerContextFromIt() throws Exception {
        DefaultCertificate.Pem pem = DefaultCertificate.generate("x.invalid", Instant.now(), new SecureRandom());
        for (SslProvider provider : List.of(SslProvider.JDK, SslProvider.OPENSSL)) {
            SslContextBuilder.forServer(new ByteArrayInputStream(pem.certificate().getBytes(StandardCharsets.US_ASCII)),
                    new ByteArrayInputStream(pem.privateKey().getBytes(StandardCharsets.US_ASCII)))
                    .sslProvider(provider).build();
        }
    }

    static Stream<Arguments> lengths() {
        return Stream.of(
                Arguments.of(0, new byte[] {0x04, 0x00}),
                Arguments.of(127, new byte[] {0x04, 0x7f}),
                Arguments.of(128, new byte[] {0x04, (byte) 0x81, (byte) 0x80}),
                Arguments.of(255, new byte[] {0x04, (byte) 0x81, (byte) 0xff}),
                Arguments.of(256, new byte[] {0x04, (byte) 0x82, 0x01, 0x00}),
                Arguments.of(70_000, new byte[] {0x04, (byte) 0x83, 0x01, 0x11, 0x70}));
    }

    @ParameterizedTest(name = "length {0}")
    @MethodSource("lengths")
    void encodesDefiniteLengths(int length, byte[] header) {
        byte[] der = DefaultCertificate.der(0x04, new byte[length]);
        byte[] head = java.util.Arrays.copyOf(der, header.length);
        assertArrayEquals(header, head);
        assertEquals(header.length + length, der.length);
    }
}
