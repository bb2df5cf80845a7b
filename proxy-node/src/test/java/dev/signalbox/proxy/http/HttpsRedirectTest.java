package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HttpsRedirectTest {
    record Case(String name, String host, String target, int httpsPort, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("The default HTTPS port is left out", "foo.com", "/a/b?x=1&y", 443, "https://foo.com/a/b?x=1&y"),
                new Case("Another HTTPS port is named", "foo.com", "/", 8443, "https://foo.com:8443/"),
                new Case("The plain-HTTP port of the Host is dropped", "foo.com:8080", "/a", 443, "https://foo.com/a"),
                new Case("The host is lower-cased", "FOO.com", "/A", 443, "https://foo.com/A"),
                new Case("The target is kept as sent, not normalised", "foo.com", "/a/../b%2f?q=%20", 443,
                        "https://foo.com/a/../b%2f?q=%20"),
                new Case("An IPv6 literal keeps its brackets", "[::1]:8080", "/x", 8443, "https://[::1]:8443/x"),
                new Case("An absolute-form target keeps only its path and query", "foo.com",
                        "http://foo.com:8080/p?q", 443, "https://foo.com/p?q"),
                new Case("An absolute-form target without a path redirects to the root", "foo.com", "http://foo.com?q", 443,
                        "https://foo.com/?q"),
                new Case("Asterisk-form redirects to the root", "foo.com", "*", 443, "https://foo.com/"),
                new Case("Without a Host there is nowhere to redirect", null, "/x", 443, null),
                new Case("An empty Host is no host either", "", "/x", 443, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void location(Case c) {
        assertEquals(c.expected(), HttpsRedirect.location(c.host(), c.target(), c.httpsPort()));
    }

    record Arrival(String name, boolean overTls, String forwardedProto, boolean trusted, boolean expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arrival> arrivals() {
        return Stream.of(
                new Arrival("TLS on this connection is HTTPS", true, null, false, true),
                new Arrival("Plain HTTP without the field is not", false, null, true, false),
                new Arrival("A trusted load balancer that terminated TLS says so", false, "https", true, true),
                new Arrival("Its value is compared without case", false, "HTTPS", true, true),
                new Arrival("Of a list the first (the client's side) counts", false, "https, http", true, true),
                new Arrival("A trusted proxy saying http is plain HTTP", false, "http", true, false),
                new Arrival("An untrusted client cannot claim HTTPS", false, "https", false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arrivals")
    void overHttps(Arrival a) {
        assertEquals(a.expected(), HttpsRedirect.overHttps(a.overTls(), a.forwardedProto(), a.trusted()));
    }
}
