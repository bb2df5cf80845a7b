package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy finds a request's host by a region of its Host header ({@link CompiledTable#hostRegion} and
 * {@link HostIndex}); it must find exactly what a map lookup of {@link CompiledTable#normalizeHost} finds.
 */
class HostIndexTest {
    private static final Map<String, String> HOSTS = Map.of(
            "app-7.test", "app", "foo.com", "foo", "[::1]", "v6", "", "empty", "bücher.de", "books", "x", "x");
    private static final HostIndex<String> INDEX = new HostIndex<>(HOSTS);

    record Case(String name, String hostHeader, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("A bare host is found", "app-7.test", "app"),
                new Case("The port is cut off", "app-7.test:8080", "app"),
                new Case("Case does not matter", "App-7.TEST:8080", "app"),
                new Case("Whitespace around it is cut off", "  foo.com:80 \t", "foo"),
                new Case("One trailing dot is cut off, before or after the port", "foo.com.:443", "foo"),
                new Case("A trailing dot without a port too", "FOO.com.", "foo"),
                new Case("Two trailing dots are not one host", "foo.com..", null),
                new Case("An IPv6 literal keeps its brackets and loses its port", "[::1]:8443", "v6"),
                new Case("An IPv6 literal without its closing bracket is not the literal", "[::1", null),
                new Case("A port alone is the empty host", ":80", "empty"),
                new Case("An absent Host header is the empty host", null, "empty"),
                new Case("A host outside ASCII is lower-cased as a String would be", "BÜCHER.de:80", "books"),
                new Case("A one-letter host is found", "X", "x"),
                new Case("A longer host that shares a prefix is not found", "foo.com.evil", null),
                new Case("An unknown host is not found", "bar.com:80", null));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void findsWhatTheNormalisedHostFinds(Case c) {
        String h = c.hostHeader() == null ? "" : c.hostHeader();
        long region = CompiledTable.hostRegion(h);
        assertEquals(c.expected(), INDEX.get(h, (int) (region >>> 32), (int) region), "by region");
        assertEquals(c.expected(), HOSTS.get(CompiledTable.normalizeHost(c.hostHeader())), "by normalizeHost");
    }

    @Test
    void aThousandHostsAreEachFoundUnderTheirOwnKey() {
        Map<String, Integer> hosts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            hosts.put("app-" + i + ".test", i);
        }
        HostIndex<Integer> index = new HostIndex<>(hosts);
        for (int i = 0; i < 1000; i++) {
            String header = "APP-" + i + ".test:8080";
            assertEquals(i, index.get(header, 0, header.indexOf(':')));
        }
        assertEquals(null, index.get("app-1000.test"));
    }
}
