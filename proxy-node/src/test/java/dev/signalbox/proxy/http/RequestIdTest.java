package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestIdTest {
    /** @param given the client's X-Request-ID values; @param kept whether the first is kept */
    record Case(String name, String[] given, boolean kept) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("A client's hex id is kept", new String[] {"0123456789abcdef0123456789abcdef"}, true),
                new Case("A UUID is kept", new String[] {"6f1c2a4e-9d0b-4c55-8a3e-2b7f1d9e0c11"}, true),
                new Case("Other safe characters are kept", new String[] {"req_1.2:3+4=5/6@x"}, true),
                new Case("128 characters are kept", new String[] {"a".repeat(128)}, true),
                new Case("129 characters are replaced", new String[] {"a".repeat(129)}, false),
                new Case("An empty id is replaced", new String[] {""}, false),
                new Case("A space is replaced", new String[] {"a b"}, false),
                new Case("A quote, which would break out of a log field, is replaced", new String[] {"a\"b"}, false),
                new Case("Non-ASCII is replaced", new String[] {"caf\u00e9"}, false),
                new Case("Two ids are replaced by one", new String[] {"a", "b"}, false),
                new Case("No id gets one", new String[] {}, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsOnlyWellFormedIds(Case c) {
        HttpHeaders h = new DefaultHttpHeaders(false);
        for (String v : c.given()) {
            h.add(RequestId.HEADER, v);
        }
        String id = RequestId.ensure(h);
        assertEquals(1, h.getAll(RequestId.HEADER).size());
        assertEquals(id, h.get(RequestId.HEADER));
        if (c.kept()) {
            assertEquals(c.given()[0], id);
        } else {
            assertTrue(id.matches("[0-9a-f]{32}"), id);
        }
    }

    @org.junit.jupiter.api.Test
    void generatedIdsDiffer() {
        assertNotEquals(RequestId.generate(), RequestId.generate());
    }
}
