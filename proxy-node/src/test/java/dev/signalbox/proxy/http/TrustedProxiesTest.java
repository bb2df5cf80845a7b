package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TrustedProxiesTest {
    record Case(String name, String blocks, String address, boolean trusted) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("Nothing is trusted by default", "", "127.0.0.1", false),
                new Case("An address in an IPv4 block", "10.0.0.0/8", "10.200.3.4", true),
                new Case("An address just outside an IPv4 block", "10.0.0.0/8", "11.0.0.0", false),
                new Case("A prefix that is not a whole number of bytes", "192.0.2.128/25", "192.0.2.200", true),
                new Case("Below a prefix that is not a whole number of bytes", "192.0.2.128/25", "192.0.2.127", false),
                new Case("A single address", "192.0.2.7", "192.0.2.7", true),
                new Case("An IPv6 block", "fd00::/8", "fd12::1", true),
                new Case("An IPv4-mapped IPv6 peer counts as IPv4", "127.0.0.0/8", "::ffff:127.0.0.1", true),
                new Case("An IPv4 address is not in an IPv6 block", "::/0", "10.0.0.1", false),
                new Case("A host name is never trusted (no DNS)", "0.0.0.0/0", "localhost", false),
                new Case("The second of several blocks", "10.0.0.0/8, 172.16.0.0/12", "172.20.0.1", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhomToTrust(Case c) {
        assertEquals(c.trusted(), TrustedProxies.parse(c.blocks()).contains(c.address()));
    }

    @Test
    void aBadBlockIsNamed() {
        assertEquals("\"proxy.example\" is not an IP address or CIDR block",
                assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse("10.0.0.0/8,proxy.example")).getMessage());
        assertEquals("\"10.0.0.0/33\" has no valid IPv4 prefix length (0 to 32)",
                assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse("10.0.0.0/33")).getMessage());
    }
}
