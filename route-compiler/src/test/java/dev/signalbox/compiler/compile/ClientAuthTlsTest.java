package dev.signalbox.compiler.compile;

import static dev.signalbox.compiler.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.ClientAuth;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.testing.TestCerts;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Client certificate annotations in, the TLS bindings (with their client authentication) and the diagnostics out.
 * Ingress "a" in namespace "ns" serves foo.com under spec.tls with the Secret "foo-tls"; the Secret "client-ca"
 * carries a CA in ca.crt.
 */
class ClientAuthTlsTest {
    private static final String CA = TestCerts.ca("client-ca").certPem();
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String CA_SECRET = "c1/ns/client-ca";

    private static ClusterEvent ing(Map<String, String> annotations, boolean tls) {
        return upsert(Kind.INGRESS, "ns", "a", new IngressState("signalbox", annotations, Instant.ofEpochSecond(1), null,
                tls ? List.of(new IngressState.TlsEntry(List.of("foo.com"), "foo-tls")) : List.of(),
                List.of(rule("foo.com", path("/", "Prefix", svc("web", 80))))));
    }

    private static List<ClusterEvent> events(String ca, Map<String, String> annotations, boolean tls) {
        return List.of(ourClass(false), tlsSecret("ns", "foo-tls", FOO_CERT),
                upsert(Kind.SECRET, "ns", "client-ca", new TlsSecretState(FOO_CERT, SEALED, ca, null)),
                ing(annotations, tls));
    }

    private static Map<String, String> nginx(String... pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i].startsWith("signalbox.dev/") ? pairs[i] : N + pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static TlsBinding foo(ClientAuth auth) {
        return new TlsBinding("foo.com", "c1/ns/foo-tls", FOO_CERT, SEALED, auth);
    }

    private static ClientAuth broken(String secret, String problem) {
        return new ClientAuth(secret, null, ClientAuth.Verify.ON, 1, false, null, problem);
    }

    private static Diagnostic brokenDiagnostic(String problem) {
        return error("ns", "a", "client certificates: " + problem + "; its TLS hosts refuse connections");
    }

    record Result(List<TlsBinding> tls, List<Diagnostic> diagnostics) {
    }

    /** The hosts that route anything. */
    private static List<String> routed(RoutingTable t) {
        return t.virtualHosts().stream().map(dev.signalbox.schemas.snapshot.VirtualHost::host).toList();
    }

    private static Arguments row(String name, List<ClusterEvent> events, List<TlsBinding> tls, Diagnostic... diagnostics) {
        return Arguments.of(name, events, new Result(tls, List.of(diagnostics)));
    }

    /** A row whose settings cannot be honoured: the host's ClientAuth carries {@code problem}, which is also an error. */
    private static Arguments refused(String name, Map<String, String> annotations, String problem) {
        return row(name, events(CA, annotations, true), List.of(foo(broken(CA_SECRET, problem))), brokenDiagnostic(problem));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("auth-tls-secret alone requires a certificate verified by its ca.crt, depth 1, nothing passed on",
                        events(CA, nginx("auth-tls-secret", "ns/client-ca"), true),
                        List.of(foo(new ClientAuth(CA_SECRET, CA, ClientAuth.Verify.ON, 1, false, null, null)))),
                row("every setting is read: optional_no_ca, depth 2, the certificate passed on, an error page",
                        events(CA, nginx("auth-tls-secret", "client-ca", "auth-tls-verify-client", "optional_no_ca",
                                "auth-tls-verify-depth", "2", "auth-tls-pass-certificate-to-upstream", "true",
                                "auth-tls-error-page", "https://errors.example.com/cert"), true),
                        List.of(foo(new ClientAuth(CA_SECRET, CA, ClientAuth.Verify.OPTIONAL_NO_CA, 2, true,
                                "https://errors.example.com/cert", null)))),
                row("signalbox.dev/ names win over ingress-nginx's",
                        events(CA, nginx("auth-tls-secret", "client-ca", "auth-tls-verify-client", "off",
                                "signalbox.dev/auth-tls-verify-client", "optional"), true),
                        List.of(foo(new ClientAuth(CA_SECRET, CA, ClientAuth.Verify.OPTIONAL, 1, false, null, null)))),
                row("a missing CA Secret is an error and the host refuses clients",
                        events(CA, nginx("auth-tls-secret", "ns/gone"), true),
                        List.of(foo(broken("c1/ns/gone", "CA secret ns/gone does not exist (or is not of type kubernetes.io/tls)"))),
                        brokenDiagnostic("CA secret ns/gone does not exist (or is not of type kubernetes.io/tls)")),
                row("a Secret without ca.crt is an error",
                        events(null, nginx("auth-tls-secret", "client-ca"), true),
                        List.of(foo(broken(CA_SECRET, "CA secret ns/client-ca has no ca.crt"))),
                        brokenDiagnostic("CA secret ns/client-ca has no ca.crt")),
                row("a ca.crt that does not parse is an error",
                        events("not a certificate", nginx("auth-tls-secret", "client-ca"), true),
                        List.of(foo(broken(CA_SECRET, "CA secret ns/client-ca: ca.crt does not parse (it holds no PEM X.509 certificate)"))),
                        brokenDiagnostic("CA secret ns/client-ca: ca.crt does not parse (it holds no PEM X.509 certificate)")),
                row("another namespace's CA is refused",
                        events(CA, nginx("auth-tls-secret", "kube-system/ca"), true),
                        List.of(foo(broken("c1/kube-system/ca", N + "auth-tls-secret: secret kube-system/ca is in another "
                                + "namespace; an Ingress may only use Secrets of its own namespace (ns)"))),
                        brokenDiagnostic(N + "auth-tls-secret: secret kube-system/ca is in another namespace; an Ingress "
                                + "may only use Secrets of its own namespace (ns)")),
                refused("an unknown verify mode is an error",
                        nginx("auth-tls-secret", "client-ca", "auth-tls-verify-client", "maybe"),
                        N + "auth-tls-verify-client: \"maybe\" is not on, off, optional or optional_no_ca"),
                refused("a verify depth that is not a number is an error",
                        nginx("auth-tls-secret", "client-ca", "auth-tls-verify-depth", "99999999999999999999"),
                        N + "auth-tls-verify-depth: \"99999999999999999999\" is not a depth from 1 to 10"),
                refused("a verify depth of 0 or over 10 is an error",
                        nginx("auth-tls-secret", "client-ca", "auth-tls-verify-depth", "0"),
                        N + "auth-tls-verify-depth: \"0\" is not a depth from 1 to 10"),
                refused("an error page that is neither a URL nor a path is an error",
                        nginx("auth-tls-secret", "client-ca", "auth-tls-error-page", "javascript:alert(1)"),
                        N + "auth-tls-error-page: \"javascript:alert(1)\" is not an http(s) URL or an absolute path"),
                refused("an error page that could inject a header is an error",
                        nginx("auth-tls-secret", "client-ca", "auth-tls-error-page", "/x\r\nSet-Cookie: a=b"),
                        N + "auth-tls-error-page: \"/x\r\nSet-Cookie: a=b\" is not an http(s) URL or an absolute path"),
                row("auth-tls settings without a Secret are ignored with a warning",
                        events(CA, nginx("auth-tls-verify-client", "on"), true), List.of(foo(null)),
                        warning("ns", "a", "annotations [" + N + "auth-tls-verify-client] ignored: no " + N
                                + "auth-tls-secret names the CA that verifies client certificates")),
                row("a host whose own certificate is missing is not routed rather than served without client certificates",
                        List.of(ourClass(false),
                                upsert(Kind.SECRET, "ns", "client-ca", new TlsSecretState(FOO_CERT, SEALED, CA, null)),
                                ing(nginx("auth-tls-secret", "client-ca"), true)),
                        List.of(),
                        error("ns", "a", "TLS secret ns/foo-tls does not exist (or is not of type kubernetes.io/tls); "
                                + "[foo.com] served with the default certificate"),
                        error("ns", "a", "host foo.com: client certificates are required but the host is not served with "
                                + "them (it has no usable certificate of its own); this Ingress's paths for it are not routed")),
                row("client certificates without spec.tls are an error: nothing could be verified",
                        events(CA, nginx("auth-tls-secret", "client-ca"), false), List.of(),
                        error("ns", "a", "client certificates need the hosts under spec.tls: nothing is verified")));
    }

    @org.junit.jupiter.api.Test
    void aHostThatCannotAskForClientCertificatesRoutesNothingOfTheIngressThatRequiresThem() {
        Map<String, String> auth = nginx("auth-tls-secret", "client-ca");
        assertEquals(List.of("foo.com"), routed(RouteCompiler.compile(model(events(CA, auth, true)))));
        assertEquals(List.of(), routed(RouteCompiler.compile(model(List.of(ourClass(false),
                upsert(Kind.SECRET, "ns", "client-ca", new TlsSecretState(FOO_CERT, SEALED, CA, null)),
                ing(auth, true))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiles(String name, List<ClusterEvent> events, Result expected) {
        RoutingTable t = RouteCompiler.compile(model(events));
        assertEquals(expected, new Result(t.tls(), t.diagnostics().stream()
                .filter(d -> !d.message().contains("service ns/web")).toList()));
    }
}
