package dev.signalbox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.testing.TestCerts;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClientCertificateVerifierTest {
    private static final TestCerts.Cert CA = TestCerts.ca("clients");
    private static final TestCerts.Cert OTHER_CA = TestCerts.ca("someone-else");
    private static final TestCerts.Cert MIDDLE = TestCerts.intermediate(CA, "clients-intermediate");
    private static final Instant NOW = Instant.now();

    record Case(String name, List<X509Certificate> chain, int depth, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        X509Certificate good = TestCerts.issuedBy(CA, "alice").cert();
        X509Certificate expired = TestCerts.issuedBy(CA, NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(1)),
                "old").cert();
        X509Certificate early = TestCerts.issuedBy(CA, NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)),
                "early").cert();
        X509Certificate stranger = TestCerts.issuedBy(OTHER_CA, "mallory").cert();
        X509Certificate viaMiddle = TestCerts.issuedBy(MIDDLE, "bob").cert();
        return Stream.of(
                new Case("A certificate the CA issued succeeds", List.of(good), 1, "SUCCESS"),
                new Case("The CA sent along with it changes nothing", List.of(good, CA.cert()), 1, "SUCCESS"),
                new Case("No certificate is NONE", List.of(), 1, "NONE"),
                new Case("An expired certificate fails as OpenSSL words it", List.of(expired), 1,
                        "FAILED:certificate has expired"),
                new Case("A certificate not valid yet fails", List.of(early), 1, "FAILED:certificate is not yet valid"),
                new Case("Another CA's certificate fails", List.of(stranger), 1,
                        "FAILED:unable to get local issuer certificate"),
                new Case("A self-signed certificate fails", List.of(TestCerts.selfSigned("me").cert()), 1,
                        "FAILED:unable to get local issuer certificate"),
                new Case("The CA itself as the client's certificate fails", List.of(CA.cert()), 1,
                        "FAILED:unable to get local issuer certificate"),
                new Case("Through an intermediate, depth 1 is too short", List.of(viaMiddle, MIDDLE.cert()), 1,
                        "FAILED:certificate chain too long"),
                new Case("Through an intermediate, depth 2 succeeds", List.of(viaMiddle, MIDDLE.cert()), 2, "SUCCESS"),
                new Case("Without its intermediate the chain does not reach the CA", List.of(viaMiddle), 2,
                        "FAILED:unable to get local issuer certificate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verifiesAsNginxReportsIt(Case c) {
        assertEquals(c.expected(), ClientCertificateVerifier.verify(c.chain(), List.of(CA.cert()), c.depth(), NOW).verify());
    }
}
