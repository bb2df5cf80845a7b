package dev.signalbox.schemas.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CidrSetTest {
    record Match(String name, String blocks, String address, boolean in) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Match> matches() {
        return Stream.of(
                new Match("An empty set holds nothing", "", "127.0.0.1", false),
                new Match("An address in an IPv4 block", "10.0.0.0/8", "10.200.3.4", true),
                new Match("The last address of an IPv4 block", "10.0.0.0/8", "10.255.255.255", true),
                new Match("Just past an IPv4 block", "10.0.0.0/8", "11.0.0.0", false),
                new Match("Just before an IPv4 block", "10.0.0.0/8", "9.255.255.255", false),
                new Match("A prefix that is not a whole number of bytes", "192.0.2.128/25", "192.0.2.200", true),
                new Match("Below such a prefix", "192.0.2.128/25", "192.0.2.127", false),
                new Match("A single IPv4 address", "192.0.2.7", "192.0.2.7", true),
                new Match("Its neighbour", "192.0.2.7", "192.0.2.8", false),
                new Match("Every IPv4 address in 0.0.0.0/0", "0.0.0.0/0", "255.255.255.255", true),
                new Match("Host bits are dropped from a block", "10.1.2.3/8", "10.9.9.9", true),
                new Match("An IPv6 block", "2001:db8::/32", "2001:db8:ffff::1", true),
                new Match("Outside an IPv6 block", "2001:db8::/32", "2001:db9::", false),
                new Match("An IPv6 prefix past 64 bits", "2001:db8::/120", "2001:db8::ff", true),
                new Match("Past an IPv6 prefix past 64 bits", "2001:db8::/120", "2001:db8::100", false),
                new Match("A single IPv6 address in its JDK spelling", "::1", "0:0:0:0:0:0:0:1", true),
                new Match("A client address with a zone", "fe80::/10", "fe80::1%eth0", true),
                new Match("Every IPv6 address in ::/0", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
                new Match("An IPv4-mapped IPv6 client counts as IPv4", "127.0.0.0/8", "::ffff:127.0.0.1", true),
                new Match("An IPv4 client is not in an IPv6 block", "::/0", "10.0.0.1", false),
                new Match("A host name is no address (no DNS)", "0.0.0.0/0", "localhost", false),
                new Match("The second of several blocks", "10.0.0.0/8, 172.16.0.0/12", "172.20.0.1", true),
                new Match("Between two merged blocks", "10.0.0.0/24,10.0.1.0/24,10.0.3.0/24", "10.0.2.1", false),
                new Match("The upper of two touching blocks", "10.0.0.0/24,10.0.1.0/24", "10.0.1.255", true),
                new Match("A block inside another", "10.0.0.0/8,10.1.0.0/16", "10.200.0.1", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matches")
    void decidesMembership(Match c) {
        assertEquals(c.in(), CidrSet.parse(c.blocks()).contains(c.address()));
    }

    record Parse(String name, String list, String result) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Parse> parses() {
        return Stream.of(
                new Parse("Blocks are normalised, sorted and deduplicated", " 10.1.2.3/8, 192.0.2.7 ,10.0.0.0/8",
                        "[10.0.0.0/8, 192.0.2.7/32]"),
                new Parse("IPv6 is written as RFC 5952 says", "2001:DB8:0:0:1::/80,::ffff:10.0.0.1",
                        "[10.0.0.1/32, 2001:db8:0:0:1::/80]"),
                new Parse("Empty entries are skipped", "10.0.0.0/8,,", "[10.0.0.0/8]"),
                new Parse("A host name is refused", "10.0.0.0/8,proxy.example",
                        "\"proxy.example\" is not an IP address or CIDR block"),
                new Parse("A leading zero is refused (Go's ParseIP)", "010.0.0.1", "\"010.0.0.1\" is not an IP address or CIDR block"),
                new Parse("An IPv4 prefix over 32", "10.0.0.0/33", "\"10.0.0.0/33\" has no valid IPv4 prefix length (0 to 32)"),
                new Parse("A prefix that is no number", "fd00::/x", "\"fd00::/x\" has no valid IPv6 prefix length (0 to 128)"),
                new Parse("Five IPv4 parts", "1.2.3.4.5", "\"1.2.3.4.5\" is not an IP address or CIDR block"),
                new Parse("Two :: in IPv6", "1::2::3", "\"1::2::3\" is not an IP address or CIDR block"),
                new Parse("A zone in a block", "fe80::1%eth0", "\"fe80::1%eth0\" is not an IP address or CIDR block"),
                new Parse("Nine IPv6 groups", "1:2:3:4:5:6:7:8:9", "\"1:2:3:4:5:6:7:8:9\" is not an IP address or CIDR block"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parses")
    void parsesLists(Parse c) {
        String result;
        try {
            result = CidrSet.parse(c.list()).blocks().toString();
        } catch (IllegalArgumentException e) {
            result = e.getMessage();
        }
        assertEquals(c.result(), result);
    }

    @org.junit.jupiter.api.Test
    void equalSetsCompareEqualWhateverTheirSpelling() {
        assertEquals(CidrSet.of(List.of("10.0.0.0/24", "10.0.1.0/24")), CidrSet.of(List.of("10.0.0.0/23")));
    }
}
