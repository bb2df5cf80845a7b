package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SniTableTest {
    private static final SniTable<String> TABLE;

    static {
        Map<String, String> bindings = new LinkedHashMap<>();
        bindings.put("foo.com", "foo");
        bindings.put("*.foo.com", "wild-foo");
        bindings.put("api.foo.com", "api-foo");
        bindings.put("Mixed.Example.org", "mixed");
        bindings.put("mixed.example.org", "second-spelling");
        TABLE = SniTable.of(bindings);
    }

    record Case(String name, String serverName, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("An exact host selects its certificate", "foo.com", "foo"),
                new Case("An exact host wins over the wildcard that also covers it", "api.foo.com", "api-foo"),
                new Case("A wildcard covers one label", "www.foo.com", "wild-foo"),
                new Case("A wildcard does not cover two labels", "a.www.foo.com", null),
                new Case("A wildcard does not cover the bare domain of another binding's host", "bar.com", null),
                new Case("The server name is compared without case", "WWW.FOO.COM", "wild-foo"),
                new Case("A binding's host is compared without case and the first spelling wins", "mixed.example.ORG", "mixed"),
                new Case("A trailing dot is ignored", "foo.com.", "foo"),
                new Case("An unknown name gets nothing, so the default certificate", "other.org", null),
                new Case("No SNI gets nothing, so the default certificate", null, null),
                new Case("An empty name gets nothing", "", null),
                new Case("A name starting with a dot does not match a wildcard", ".foo.com", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void selects(Case c) {
        assertEquals(c.expected(), TABLE.select(c.serverName()));
    }
}
