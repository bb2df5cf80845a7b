package dev.signalbox.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.security.Principal;
import java.security.PrivateKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates generated in the tests: a CA, and leaf certificates it signs (or self-signed) with DNS
 * subject alternative names. EC P-256 keys, so generating many is fast. PEM text as a Secret holds it.
 */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private TestCerts() {
    }

    /** A certificate, its PKCS#8 private key, both PEM, and the parsed certificate. */
    public record Cert(String certPem, String keyPem, X509Certificate cert, KeyPair keys) {
    }

    /**
     * A TLS client context that trusts any certificate and checks no name (an extended trust manager, so the
     * JDK's HttpClient adds no hostname check either): for tests that look at what a server presents.
     */
    public static SSLContext trustingAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The certificate a TLS server on 127.0.0.1:{@code port} presents for SNI {@code serverName} to a client
     * trusting as {@code trust} does; null when the handshake fails (a certificate not trusted) or nothing
     * listens yet.
     */
    public static X509Certificate presented(SSLContext trust, int port, String serverName) {
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(serverName)));
            s.setSSLParameters(p);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            return null;
        }
    }

    /** A TLS client context that trusts {@code cert} and nothing else (not the JDK's CAs). */
    public static SSLContext trustingOnly(X509Certificate cert) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("trusted", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a context trusting " + cert.getSubjectX500Principal(), e);
        }
    }

    /**
     * A TLS client context that trusts {@code serverCa} only and presents {@code client} (null: no certificate)
     * whatever CAs the server names in its request: so a certificate the server will not accept (another CA's, an
     * expired one) is still sent, as a misconfigured or hostile client would.
     */
    public static SSLContext presenting(Cert client, X509Certificate serverCa) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            KeyManager[] km = client == null ? null : new KeyManager[] {new X509ExtendedKeyManager() {
                @Override
                public String[] getClientAliases(String keyType, Principal[] issuers) {
                    return new String[] {"client"};
                }

                @Override
                public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                    return "client";
                }

                @Override
                public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                    return "client";
                }

                @Override
                public String[] getServerAliases(String keyType, Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                    return null;
                }

                @Override
                public X509Certificate[] getCertificateChain(String alias) {
                    return new X509Certificate[] {client.cert()};
                }

                @Override
                public PrivateKey getPrivateKey(String alias) {
                    return client.keys().getPrivate();
                }
            }};
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("server-ca", serverCa);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            ctx.init(km, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a client context", e);
        }
    }

    /** A CA that can sign leaf certificates. */
    public static Cert ca(String name) {
        KeyPair kp = keyPair();
        return build(new X500Name("CN=" + name), kp, new X500Name("CN=" + name), kp, true, new String[0]);
    }

    /** A leaf certificate for {@code dnsNames} (the first is also the CN), self-signed. */
    public static Cert selfSigned(String... dnsNames) {
        KeyPair kp = keyPair();
        X500Name subject = new X500Name("CN=" + dnsNames[0]);
        return build(subject, kp, subject, kp, false, dnsNames);
    }

    /**
     * A leaf certificate for {@code dnsNames} signed by {@code ca}; usable as server and client certificate. A name
     * that is an IPv4 address becomes an IP address subject alternative name.
     */
    public static Cert issuedBy(Cert ca, String... dnsNames) {
        Instant now = Instant.now();
        return issuedBy(ca, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)), dnsNames);
    }

    /**
     * A leaf certificate signed by {@code ca} valid from {@code notBefore} to {@code notAfter}: an expired client
     * or server certificate when both are in the past.
     */
    public static Cert issuedBy(Cert ca, Instant notBefore, Instant notAfter, String... dnsNames) {
        return build(new X500Name("CN=" + dnsNames[0]), keyPair(),
                new X500Name(ca.cert().getSubjectX500Principal().getName()), ca.keys(), false, dnsNames,
                notBefore, notAfter);
    }

    /** An intermediate CA named {@code name} signed by {@code ca}: a client chain one certificate longer. */
    public static Cert intermediate(Cert ca, String name) {
        Instant now = Instant.now();
        return build(new X500Name("CN=" + name), keyPair(), new X500Name(ca.cert().getSubjectX500Principal().getName()),
                ca.keys(), true, new String[0], now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
    }

    private static Cert build(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                              boolean isCa, String[] dnsNames) {
        Instant now = Instant.now();
        return build(subject, subjectKeys, issuer, issuerKeys, isCa, dnsNames, now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(30)));
    }

    private static Cert build(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                              boolean isCa, String[] dnsNames, Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    // An IPv4 literal (a broker on 127.0.0.1) is an iPAddress name: hostname checks match IPs only there.
                    names[i] = new GeneralName(dnsNames[i].matches("\\d{1,3}(\\.\\d{1,3}){3}") ? GeneralName.iPAddress
                            : GeneralName.dNSName, dnsNames[i]);
                }
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
            return new Cert(pem(cert), pem(new JcaPKCS8Generator(subjectKeys.getPrivate(), null).generate()), cert, subjectKeys);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a test certificate", e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) throws java.io.IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }
}
