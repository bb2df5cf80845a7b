package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.routing.Decision;
import dev.signalbox.routing.Decision.Redirect.Target;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Location of the redirects routes' annotations ask for, as ingress-nginx writes them; and the rewrite of a head. */
class RedirectsTest {
    record Case(String name, Target target, String value, String scheme, String host, int port, String uri, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("permanent-redirect's URL is the Location as it is", Target.URL, "https://www.google.com", "http",
                        "a.com", 80, "/x?y", "https://www.google.com"),
                new Case("app-root keeps the scheme and the Host as sent, port included", Target.PATH, "/app", "https",
                        "approot.bar.com:8443", 8443, "/", "https://approot.bar.com:8443/app"),
                new Case("app-root without a Host has nowhere to go", Target.PATH, "/app", "http", null, 80, "/", null),
                new Case("from-to-www names the port the request came in on and keeps the target", Target.HOST,
                        "fromtowwwredirect.bar.com", "http", "www.fromtowwwredirect.bar.com", 80, "/foo",
                        "http://fromtowwwredirect.bar.com:80/foo"),
                new Case("from-to-www drops a final slash, so / becomes nothing, as ingress-nginx's Lua does", Target.HOST,
                        "www.foo.com", "https", "foo.com", 443, "/", "https://www.foo.com:443"),
                new Case("from-to-www keeps the query", Target.HOST, "foo.com", "http", "www.foo.com", 8080, "/a/?q=1",
                        "http://foo.com:8080/a/?q=1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void location(Case c) {
        assertEquals(c.expected(), Redirects.location(new Decision.Redirect("r", 301, c.target(), c.value()), c.scheme(),
                c.host(), c.port(), c.uri()));
    }

    @Test
    void aRewriteReplacesThePathKeepsTheQueryAndSetsTheForwardedPrefix() {
        HttpRequest withQuery = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/something/a?q=1&r");
        withQuery.headers().set("X-Forwarded-Prefix", "/from-client");
        Rewrites.apply(withQuery, new Decision.Rewrite("/a", "/something"));
        HttpRequest plain = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/something");
        Rewrites.apply(plain, new Decision.Rewrite("/", null));
        HttpRequest untouched = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        Rewrites.apply(untouched, null);
        assertEquals(Arrays.asList("/a?q=1&r", "/something", "/", null, "/x"), Arrays.asList(withQuery.uri(),
                withQuery.headers().get("x-forwarded-prefix"), plain.uri(), plain.headers().get("x-forwarded-prefix"),
                untouched.uri()));
    }
}
