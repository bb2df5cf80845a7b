package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Password checks against hashes from independent implementations: OpenSSL's {@code passwd -apr1}/{@code -1} (the
 * first is ingress-nginx's own basic-auth example), libxcrypt's bcrypt, and SHA-1 as {@code htpasswd -s} writes it.
 */
class HtpasswdTest {
    record Case(String name, String hash, String password, boolean matches) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("APR1 MD5 from ingress-nginx's basic-auth example", "$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0", "bar", true),
                new Case("APR1 MD5 with a wrong password", "$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0", "baz", false),
                new Case("APR1 MD5 of a password longer than one MD5 block", "$apr1$r31.....$C4udfKBIZ0gl57ECzUX.w/",
                        "a much longer password than sixteen bytes", true),
                new Case("APR1 MD5 of the empty password with a one-character salt", "$apr1$x$tMwYqBfQwi3FYAr0aJc8M/", "", true),
                new Case("FreeBSD MD5-crypt ($1$)", "$1$saltsalt$56ibbfTGLAsNdA0n6U1Nn/", "bar", true),
                new Case("SHA-1 as htpasswd -s writes it", "{SHA}Ys23Ag/5IOWqZCw9QGaVDdHwH00=", "bar", true),
                new Case("SHA-1 with a wrong password", "{SHA}Ys23Ag/5IOWqZCw9QGaVDdHwH00=", "Bar", false),
                new Case("bcrypt $2y$ (htpasswd -B)", "$2y$05$abcdefghijklmnopqrstuuUq7qXkDOZJ5Q8HA9wCOH0FErWp6q0b6", "bar", true),
                new Case("bcrypt $2a$", "$2a$05$abcdefghijklmnopqrstuuUq7qXkDOZJ5Q8HA9wCOH0FErWp6q0b6", "bar", true),
                new Case("bcrypt $2b$", "$2b$05$abcdefghijklmnopqrstuuUq7qXkDOZJ5Q8HA9wCOH0FErWp6q0b6", "bar", true),
                new Case("bcrypt at cost 10", "$2y$10$abcdefghijklmnopqrstuudO6teB13oFvk/9EbehmiFkbrz5oWBUO", "bar", true),
                new Case("bcrypt with a wrong password", "$2y$05$abcdefghijklmnopqrstuuUq7qXkDOZJ5Q8HA9wCOH0FErWp6q0b6", "baz", false),
                new Case("bcrypt reads 72 bytes of a longer password, as crypt_blowfish",
                        "$2y$05$abcdefghijklmnopqrstuujf8SX2ahXLwp9w/B.Y5XdysS6yR576q", "x".repeat(80), true),
                new Case("a malformed bcrypt string matches nothing", "$2y$05$short", "bar", false),
                new Case("crypt(3) DES is not checked", "abJnggxhB/yWI", "bar", false),
                new Case("a plain-text password never matches", "bar", "bar", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checksPasswords(Case c) {
        assertEquals(c.matches(), Htpasswd.matches(c.hash(), c.password().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsAnHtpasswdFileAsNginxDoes() {
        Htpasswd h = Htpasswd.parse("# admins\nfoo:$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0\r\n\nbar:{SHA}x:a comment\n"
                + "foo:{SHA}second\nnocolon\n:nouser\n");
        assertEquals(List.of("$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0", "{SHA}x", "null", "2"),
                List.of(h.hash("foo"), h.hash("bar"), String.valueOf(h.hash("nocolon")), String.valueOf(h.size())));
    }

    @Test
    void readsAnAuthMap() {
        assertEquals("{SHA}x", Htpasswd.ofMap(Map.of("foo", "{SHA}x\n")).hash("foo"));
    }

    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsBasicCredentials() {
        assertEquals(List.of("foo:b:a:r", "null", "null", "null", "ümlaut:", "foo:bar"), Stream.of(basic("foo:b:a:r"),
                        "Bearer abc", "Basic !!!", basic("nocolon"), basic("ümlaut:"), "basic " + basic("foo:bar").substring(6))
                .map(Htpasswd::credentials)
                .map(c -> c == null ? "null" : c.user() + ":" + new String(c.password(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void quotesTheRealm() {
        assertEquals("Basic realm=\"a \\\"b\\\" \\\\ c\"", Htpasswd.challenge("a \"b\" \\ c"));
    }
}
