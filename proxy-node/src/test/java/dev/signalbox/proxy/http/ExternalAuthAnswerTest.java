package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.snapshot.RouteAccess;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExternalAuthAnswerTest {
    private static final RouteAccess.ExternalAuth AUTH = new RouteAccess.ExternalAuth("http://auth/check", null, null, "rd",
            List.of("X-User", "X-Email"), null, null, List.of());
    private static final RouteAccess.ExternalAuth SIGNIN = new RouteAccess.ExternalAuth("http://auth/check", null,
            "https://login/start", "rd", List.of(), null, null, List.of());

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            h.add(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of("2xx lets through, setting the listed fields and removing those the answer lacks", 202,
                        headers("X-User", "alice", "X-Other", "x"), AUTH, new ExternalAuthAnswer.Allow(List.of(
                                new ExternalAuthAnswer.Field("X-User", "alice"), new ExternalAuthAnswer.Field("X-Email", null)),
                                List.of())),
                Arguments.of("2xx carries the service's cookies to the answer, each as sent", 200,
                        headers("Set-Cookie", "_oauth2_proxy_0=a; Path=/", "Set-Cookie", "_oauth2_proxy_1=b; Path=/"),
                        AUTH, new ExternalAuthAnswer.Allow(List.of(new ExternalAuthAnswer.Field("X-User", null),
                                new ExternalAuthAnswer.Field("X-Email", null)),
                                List.of("_oauth2_proxy_0=a; Path=/", "_oauth2_proxy_1=b; Path=/"))),
                Arguments.of("401 passes the service's challenges on, and no cookie (nginx adds none to a 401)", 401,
                        headers("WWW-Authenticate", "Bearer", "WWW-Authenticate", "Basic realm=\"x\"", "Set-Cookie", "c=1"),
                        AUTH, new ExternalAuthAnswer.Refuse(401, List.of("Bearer", "Basic realm=\"x\""), false,
                                "authorization required", List.of())),
                Arguments.of("401 with auth-signin becomes the redirect, with the service's cookies", 401,
                        headers("Set-Cookie", "csrf=1"), SIGNIN,
                        new ExternalAuthAnswer.Refuse(401, List.of(), true, "authorization required", List.of("csrf=1"))),
                Arguments.of("403 is forbidden", 403, headers("Set-Cookie", "c=1"), AUTH,
                        new ExternalAuthAnswer.Refuse(403, List.of(), false, "forbidden by the authentication service",
                                List.of())),
                Arguments.of("a redirect from the service is an error, as nginx's auth_request", 302, headers("Location", "/x"),
                        AUTH, new ExternalAuthAnswer.Refuse(500, List.of(), false,
                                "the authentication service at http://auth/check answered 302", List.of())),
                Arguments.of("a 5xx from the service is 500", 503, headers(), AUTH, new ExternalAuthAnswer.Refuse(500,
                        List.of(), false, "the authentication service at http://auth/check answered 503", List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void decides(String name, int status, HttpHeaders headers, RouteAccess.ExternalAuth auth, ExternalAuthAnswer.Reply expected) {
        assertEquals(expected, ExternalAuthAnswer.of(status, headers, auth));
    }

    /** The statuses nginx's add_header (without always) applies to get the cookies; a case: status, fields out. */
    static Stream<Arguments> cookieStatuses() {
        return Stream.of(
                Arguments.of("a 200 from the backend gets them, beside its own", 200, List.of("b=0", "a=1", "c=2")),
                Arguments.of("a 302 gets them", 302, List.of("b=0", "a=1", "c=2")),
                Arguments.of("a 304 gets them", 304, List.of("b=0", "a=1", "c=2")),
                Arguments.of("a 404 does not", 404, List.of("b=0")),
                Arguments.of("a 503 does not", 503, List.of("b=0")),
                Arguments.of("a 101 does not", 101, List.of("b=0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cookieStatuses")
    void addsTheCookiesWhereNginxsAddHeaderWould(String name, int status, List<String> expected) {
        HttpHeaders response = headers("Set-Cookie", "b=0");
        ExternalAuthAnswer.addCookies(response, status, List.of("a=1", "c=2"));
        assertEquals(expected, response.getAll("Set-Cookie"));
    }

    static Stream<Arguments> signins() {
        return Stream.of(
                Arguments.of("without a query, ?rd= the original URL escaped", "https://login/start", "rd",
                        "https://login/start?rd=https://app.test:8443/a/b%3Fc%3D1%26d"),
                Arguments.of("with a query, &rd=", "https://login/start?x=1", "rd",
                        "https://login/start?x=1&rd=https://app.test:8443/a/b%3Fc%3D1%26d"),
                Arguments.of("a URL that carries rd already is kept, its variables replaced",
                        "https://$host/oauth2/start?rd=$escaped_request_uri", "rd",
                        "https://app.test/oauth2/start?rd=/a/b%3Fc%3D1%26d"),
                Arguments.of("another redirect parameter", "https://login/start", "return_to",
                        "https://login/start?return_to=https://app.test:8443/a/b%3Fc%3D1%26d"),
                Arguments.of("$scheme, $http_host and $request_uri", "https://login/?u=$scheme://$http_host$request_uri&rd=x",
                        "rd", "https://login/?u=https://app.test:8443/a/b?c=1&d&rd=x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signins")
    void buildsTheSigninLocation(String name, String signin, String param, String expected) {
        assertEquals(expected, ExternalAuthAnswer.signinLocation(signin, param, "https", "app.test:8443", "/a/b?c=1&d"));
    }

    @org.junit.jupiter.api.Test
    void expandsTheCacheKeyAndFindsHowLongToRemember() {
        HttpHeaders h = headers("Host", "App.Test:8080", "Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("alice:pw".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "X-Token", "a",
                "X-Token", "b", "Cookie", "theme=dark; session=s1");
        List<RouteAccess.CacheValid> rules = List.of(new RouteAccess.CacheValid(List.of(200, 202), false, 600),
                new RouteAccess.CacheValid(List.of(), true, 30));
        assertEquals(List.of("alice|a, b|s1||10.0.0.9|app.test|/x?y|$", "600", "30"), List.of(
                ExternalAuthAnswer.cacheKey("$remote_user|$http_x_token|$cookie_session|$cookie_none|$remote_addr|$host"
                        + "|$request_uri|$", h, "10.0.0.9", "/x?y"),
                String.valueOf(ExternalAuthAnswer.cacheSeconds(rules, 202)),
                String.valueOf(ExternalAuthAnswer.cacheSeconds(rules, 401))));
    }
}
