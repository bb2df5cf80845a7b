package dev.signalbox.compiler.compile;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Reads the leaf certificate of a tls.crt to tell whether it covers a host, as a TLS client would check
 * it (RFC 6125): the DNS subject alternative names, a {@code *.} name covering exactly one label; the
 * subject's CN only when the certificate has no DNS names. Only public data: the compiler never sees
 * private keys.
 */
final class Certificates {
    private Certificates() {
    }

    sealed interface Parsed permits Leaf, Unreadable {
    }

    /** The leaf certificate's host names, lower case. */
    record Leaf(List<String> names) implements Parsed {
        boolean covers(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            for (String n : names) {
                if (n.equals(h)) {
                    return true;
                }
                // A wildcard certificate covers a one-label wildcard host too: the same names.
                if (n.startsWith("*.") && !h.startsWith("*.")) {
                    int dot = h.indexOf('.');
                    if (dot > 0 && h.substring(dot + 1).equals(n.substring(2))) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    record Unreadable(String reason) implements Parsed {
    }

    static Parsed parse(String pem) {
        X509Certificate cert;
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            var all = f.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (all.isEmpty()) {
                return new Unreadable("it holds no PEM X.509 certificate");
            }
            cert = (X509Certificate) all.iterator().next();
        } catch (CertificateException | RuntimeException e) {
            // Our words, not the JDK's: its messages differ between releases, and snapshots must not.
            return new Unreadable("it holds no PEM X.509 certificate");
        }
        List<String> names = new ArrayList<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return new Unreadable("its subject alternative names do not parse");
        }
        if (names.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (InvalidNameException e) {
                return new Unreadable("its subject does not parse");
            }
        }
        return new Leaf(List.copyOf(names));
    }
}
