package dev.signalbox.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestTargetTest {
    record Case(String name, String method, String uri, RequestTarget expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static RequestTarget ok(String path, String forwardUri) {
        return new RequestTarget.Valid(path, forwardUri);
    }

    private static RequestTarget ok(String path) {
        return ok(path, path);
    }

    private static RequestTarget bad(String reason) {
        return new RequestTarget.Invalid(reason);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("A plain path is kept as sent", "GET", "/a/b", ok("/a/b")),
                new Case("The root is kept", "GET", "/", ok("/")),
                new Case("A trailing slash is kept", "GET", "/a/", ok("/a/")),
                new Case("The query is not matched but is forwarded as sent", "GET", "/a/./b?x=/../y&z=%zz",
                        ok("/a/b", "/a/b?x=/../y&z=%zz")),
                new Case("An empty query is forwarded", "GET", "/a?", ok("/a", "/a?")),
                new Case("A fragment is dropped", "GET", "/a#frag", ok("/a")),
                new Case("A single-dot segment is removed", "GET", "/a/./b", ok("/a/b")),
                new Case("A double-dot segment removes the segment before it", "GET", "/a/b/../c", ok("/a/c")),
                new Case("A double-dot segment cannot climb above the root", "GET", "/../../etc/passwd", ok("/etc/passwd")),
                new Case("A path ending in a double-dot segment ends in a slash", "GET", "/a/b/..", ok("/a/")),
                new Case("A path ending in a single-dot segment ends in a slash", "GET", "/a/.", ok("/a/")),
                new Case("Dot segments that climb to the root give the root", "GET", "/a/..", ok("/")),
                new Case("A leading single-dot segment is removed", "GET", "/./a", ok("/a")),
                new Case("A raw space is percent-encoded", "GET", "/a b?c d", ok("/a%20b", "/a%20b?c%20d")),
                new Case("Dots inside a segment are not dot segments", "GET", "/a/..b/.c./...", ok("/a/..b/.c./...")),
                new Case("Encoded dot segments are removed like dots", "GET", "/a/%2e%2E/b", ok("/b")),
                new Case("A half-encoded dot segment is removed like dots", "GET", "/a/%2e./b", ok("/b")),
                new Case("Encoded unreserved characters are decoded", "GET", "/%7Euser/%41%62-%5F%2d", ok("/~user/Ab-_-")),
                new Case("An encoded slash stays encoded in upper case", "GET", "/a%2fb", ok("/a%2Fb")),
                new Case("An encoded slash is not a separator for dot segments", "GET", "/a/b%2F..%2Fc", ok("/a/b%2F..%2Fc")),
                new Case("Other reserved escapes stay encoded", "GET", "/a%3Fb%20c%23", ok("/a%3Fb%20c%23")),
                new Case("Encoded non-ASCII bytes stay encoded", "GET", "/caf%c3%a9", ok("/caf%C3%A9")),
                new Case("Raw bytes outside ASCII are percent-encoded as the bytes they were", "GET", "/caf\u00c3\u00a9?q=\u00e9",
                        ok("/caf%C3%A9", "/caf%C3%A9?q=%E9")),
                new Case("Raw control characters are percent-encoded", "GET", "/a\u0001b\u007f", ok("/a%01b%7F")),
                new Case("A character beyond one byte is refused", "GET", "/\u20ac",
                        bad("request target contains a character that is not one byte")),
                new Case("Duplicate slashes are merged", "GET", "//a///b//", ok("/a/b/")),
                new Case("Duplicate slashes and dot segments are normalised together", "GET", "/a/..//b/.//c", ok("/b/c")),
                new Case("An absolute-form target is matched on its path and names the host", "GET",
                        "http://foo.com/a/../b?q", new RequestTarget.Valid("/b", "/b?q", "foo.com")),
                new Case("An absolute-form target without a path means the root", "GET", "http://foo.com",
                        new RequestTarget.Valid("/", "/", "foo.com")),
                new Case("An absolute-form target with only a query means the root", "GET", "HTTPS://foo.com:8443?q=1",
                        new RequestTarget.Valid("/", "/?q=1", "foo.com:8443")),
                new Case("An absolute-form target with userinfo is refused", "GET", "http://admin@foo.com/",
                        bad("request target has userinfo in its authority: http://admin@foo.com/")),
                new Case("An absolute-form target with another scheme is refused", "GET", "ftp://foo.com/",
                        bad("request target has a scheme other than http or https: ftp://foo.com/")),
                new Case("An asterisk with OPTIONS is forwarded as is and matched as the root", "OPTIONS", "*", ok("/", "*")),
                new Case("An asterisk with another method is refused", "GET", "*",
                        bad("request target * is only allowed with OPTIONS")),
                new Case("A target not starting with a slash is refused", "GET", "a/b",
                        bad("request target is not a path starting with /: a/b")),
                new Case("An authority-form target is refused", "CONNECT", "foo.com:443",
                        bad("request target is not a path starting with /: foo.com:443")),
                new Case("An empty target is refused", "GET", "", bad("empty request target")),
                new Case("A percent sign without two hex digits is refused", "GET", "/a%2",
                        bad("request path has invalid percent-encoding or an encoded NUL: /a%2")),
                new Case("A percent sign followed by non-hex is refused", "GET", "/a%zzb",
                        bad("request path has invalid percent-encoding or an encoded NUL: /a%zzb")),
                new Case("A lone percent sign is refused", "GET", "/100%",
                        bad("request path has invalid percent-encoding or an encoded NUL: /100%")),
                new Case("An encoded NUL is refused", "GET", "/a%00b",
                        bad("request path has invalid percent-encoding or an encoded NUL: /a%00b")),
                new Case("A raw NUL is refused", "GET", "/a\0b", bad("request target contains NUL")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parses(Case c) {
        assertEquals(c.expected(), RequestTarget.parse(c.method(), c.uri()));
    }
}
