package dev.signalbox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.HeaderOptions.Cors;
import dev.signalbox.schemas.snapshot.HeaderOptions.Field;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a route's header options do to one request, as ingress-nginx's CORS block and more_set_headers do (checked
 * against nginx 1.22 with headers-more 0.34 running the block ingress-nginx v1.15 renders): whether the proxy answers
 * a preflight, and the response head after the backend's fields ({@code X-Backend: yes} and its own
 * {@code Access-Control-Allow-Origin: backend}).
 */
class RouteHeadersTest {
    private static final String DEFAULT_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    private static final String DEFAULT_HEADERS =
            "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";

    private static HeaderOptions cors(boolean credentials, String expose, String... origins) {
        return new HeaderOptions(new Cors(List.of(origins), DEFAULT_METHODS, DEFAULT_HEADERS, credentials, expose, 1728000),
                List.of());
    }

    private static final HeaderOptions ANY = cors(true, null, "*");
    private static final HeaderOptions LISTED = cors(true, "X-A, X-B", "https://origin.cors.com:8080",
            "http://*.origin.com:8080", "null");
    private static final HeaderOptions FIELDS = new HeaderOptions(null, List.of(new Field("X-Frame-Options", "DENY"),
            new Field("Access-Control-Allow-Origin", "")));

    /** The backend's head, then what the options made of it, "name: value" in order. */
    private static List<String> cors(String origin, String credentials, String expose) {
        List<String> out = new ArrayList<>(List.of("X-Backend: yes", "Access-Control-Allow-Origin: " + origin));
        if (credentials != null) {
            out.add("Access-Control-Allow-Credentials: " + credentials);
        }
        out.add("Access-Control-Allow-Methods: " + DEFAULT_METHODS);
        out.add("Access-Control-Allow-Headers: " + DEFAULT_HEADERS);
        if (expose != null) {
            out.add("Access-Control-Expose-Headers: " + expose);
        }
        out.add("Access-Control-Max-Age: 1728000");
        return out;
    }

    private static final List<String> UNTOUCHED = List.of("X-Backend: yes", "Access-Control-Allow-Origin: backend");

    record Case(String name, HeaderOptions options, HttpMethod method, String origin, boolean preflight,
                List<String> head) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Outcome(boolean preflight, List<String> head) {
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("with *, a GET without Origin gets Allow-Origin *", ANY, HttpMethod.GET, null, false,
                        cors("*", "true", null)),
                new Case("with *, a GET from any Origin gets Allow-Origin *, not the Origin", ANY, HttpMethod.GET,
                        "https://a.b", false, cors("*", "true", null)),
                new Case("with *, every OPTIONS is a preflight, even without Origin", ANY, HttpMethod.OPTIONS, null, true,
                        cors("*", "true", null)),
                new Case("a listed Origin is echoed, with Expose-Headers", LISTED, HttpMethod.GET,
                        "https://origin.cors.com:8080", false, cors("https://origin.cors.com:8080", "true", "X-A, X-B")),
                new Case("a listed Origin matches without case and is echoed as sent", LISTED, HttpMethod.POST,
                        "HTTPS://Origin.Cors.com:8080", false, cors("HTTPS://Origin.Cors.com:8080", "true", "X-A, X-B")),
                new Case("an OPTIONS from a listed Origin is a preflight", LISTED, HttpMethod.OPTIONS,
                        "https://origin.cors.com:8080", true, cors("https://origin.cors.com:8080", "true", "X-A, X-B")),
                new Case("an OPTIONS from another Origin goes to the backend untouched", LISTED, HttpMethod.OPTIONS,
                        "https://evil.com", false, UNTOUCHED),
                new Case("an OPTIONS without Origin goes to the backend untouched", LISTED, HttpMethod.OPTIONS, null, false,
                        UNTOUCHED),
                new Case("the same origin on another port does not match", LISTED, HttpMethod.GET,
                        "https://origin.cors.com", false, UNTOUCHED),
                new Case("the same host with another scheme does not match", LISTED, HttpMethod.GET,
                        "http://origin.cors.com:8080", false, UNTOUCHED),
                new Case("a longer scheme ending like a listed one does not match (ingress-nginx's pattern would)",
                        LISTED, HttpMethod.GET, "xhttps://origin.cors.com:8080", false, UNTOUCHED),
                new Case("a wildcard matches one label", LISTED, HttpMethod.GET, "http://bar-foo.origin.com:8080", false,
                        cors("http://bar-foo.origin.com:8080", "true", "X-A, X-B")),
                new Case("a wildcard does not match two labels", LISTED, HttpMethod.GET,
                        "http://bar.foo.origin.com:8080", false, UNTOUCHED),
                new Case("a wildcard does not match the bare domain", LISTED, HttpMethod.GET, "http://origin.com:8080",
                        false, UNTOUCHED),
                new Case("a wildcard does not match without its port", LISTED, HttpMethod.GET, "http://abc.origin.com",
                        false, UNTOUCHED),
                new Case("a wildcard label is letters, digits and '-' only", LISTED, HttpMethod.GET,
                        "http://a_b.origin.com:8080", false, UNTOUCHED),
                new Case("a suffix match is not enough", LISTED, HttpMethod.GET, "http://evil.com/.origin.com:8080", false,
                        UNTOUCHED),
                new Case("the null origin matches when listed", LISTED, HttpMethod.GET, "null", false,
                        cors("null", "true", "X-A, X-B")),
                new Case("without credentials the backend's Allow-Credentials is left alone", cors(false, null, "*"),
                        HttpMethod.GET, null, false, cors("*", null, null)),
                new Case("response fields are set, and an empty value removes the backend's", FIELDS, HttpMethod.GET,
                        "https://a.b", false, List.of("X-Backend: yes", "X-Frame-Options: DENY")),
                new Case("with no origins left nothing is a CORS request", cors(true, null), HttpMethod.OPTIONS,
                        "https://a.b", false, UNTOUCHED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(Case c) {
        RouteHeaders h = RouteHeaders.of(c.options(), c.method(), c.origin());
        HttpHeaders head = new DefaultHttpHeaders().add("X-Backend", "yes").add("Access-Control-Allow-Origin", "backend");
        if (h != null) {
            h.apply(head);
        }
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, String> e : head) {
            written.add(e.getKey() + ": " + e.getValue());
        }
        assertEquals(new Outcome(c.preflight(), c.head()), new Outcome(h != null && h.preflight(), written));
    }

    @org.junit.jupiter.api.Test
    void requestFieldsReplaceTheClientsOnTheWayToTheBackendAndLeaveTheResponseAlone() {
        HeaderOptions options = new HeaderOptions(null, List.of(), List.of(new Field("X-Tenant", "blue"),
                new Field("X-Using-Signalbox", "true")));
        RouteHeaders h = RouteHeaders.of(options, HttpMethod.GET, "https://a.b");
        HttpHeaders request = new DefaultHttpHeaders().add("Host", "a.b").add("x-tenant", "forged").add("x-tenant", "again");
        h.toBackend(request);
        HttpHeaders response = new DefaultHttpHeaders().add("X-Backend", "yes");
        h.apply(response);
        List<String> written = new ArrayList<>();
        for (HttpHeaders head : List.of(request, response)) {
            for (Map.Entry<String, String> e : head) {
                written.add(e.getKey() + ": " + e.getValue());
            }
        }
        assertEquals(List.of("Host: a.b", "X-Tenant: blue", "X-Using-Signalbox: true", "X-Backend: yes"), written);
    }
}
