package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.schemas.codec.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code bin/ingress migrate --manifests DIR} on small directories: the JSON report and the exit status. */
class MigrateCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Manifests m = new Manifests("shop");

    private int run(String... args) {
        CommandLine cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void ingressesThatWouldBehaveDifferentlyAreListedAnnotationByAnnotationAndExitOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("app.yaml"), Manifests.documents(
                m.ingress("web").className("nginx").annotation("nginx.ingress.kubernetes.io/ssl-redirect", "false")
                        .annotation("nginx.ingress.kubernetes.io/mirror-target", "http://mirror")
                        .annotation("cert-manager.io/cluster-issuer", "letsencrypt")
                        .rule(new Manifests.Rule("shop.example", Manifests.prefix("/", "web"))).yaml(),
                m.ingress("admin").className("nginx").annotation("nginx.ingress.kubernetes.io/configuration-snippet",
                                "more_set_headers \"X: y\";")
                        .rule(new Manifests.Rule("admin.example", Manifests.prefix("/", "admin"))).yaml(),
                m.service("web", 80)));
        Files.createDirectory(dir.resolve("more"));
        Files.writeString(dir.resolve("more/plain.yml"), m.ingress("plain")
                .rule(new Manifests.Rule("plain.example", Manifests.prefix("/", "web"))).yaml());

        assertEquals(1, run("migrate", "--manifests", dir.toString(), "--output", "json"), err.toString());

        JsonNode doc = Json.MAPPER.readTree(out.toString());
        assertEquals(Json.MAPPER.readTree("""
                {"ingresses": [
                  {"namespace": "shop", "name": "admin", "behavesDifferently": true, "annotations": [
                    {"annotation": "nginx.ingress.kubernetes.io/configuration-snippet", "value": "more_set_headers \\"X: y\\";",
                     "support": "REFUSED", "note": "%s"}]},
                  {"namespace": "shop", "name": "plain", "behavesDifferently": false, "annotations": []},
                  {"namespace": "shop", "name": "web", "behavesDifferently": true, "annotations": [
                    {"annotation": "nginx.ingress.kubernetes.io/mirror-target", "value": "http://mirror", "support": "UNSUPPORTED",
                     "note": "request mirroring is not supported; mirror in the application or a mesh"},
                    {"annotation": "nginx.ingress.kubernetes.io/ssl-redirect", "value": "false", "support": "SUPPORTED", "note": ""}]}],
                 "unreadable": [],
                 "summary": {"ingresses": 3, "behaveDifferently": 2,
                   "annotations": {"SUPPORTED": 1, "DIFFERENT": 0, "UNSUPPORTED": 1, "REFUSED": 1, "UNKNOWN": 0},
                   "byAnnotation": [
                     {"annotation": "nginx.ingress.kubernetes.io/configuration-snippet", "support": "REFUSED", "ingresses": 1},
                     {"annotation": "nginx.ingress.kubernetes.io/mirror-target", "support": "UNSUPPORTED", "ingresses": 1},
                     {"annotation": "nginx.ingress.kubernetes.io/ssl-redirect", "support": "SUPPORTED", "ingresses": 1}]}}
                """.formatted(dev.signalbox.compiler.compile.Annotations
                .classify("nginx.ingress.kubernetes.io/configuration-snippet").orElseThrow().note())), doc);
        assertEquals("", err.toString());
    }

    @Test
    void errorPagesAndServiceUpstreamAreReportedWithTheirVerdicts(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("app.yaml"), m.ingress("web")
                .annotation("nginx.ingress.kubernetes.io/default-backend", "errors")
                .annotation("nginx.ingress.kubernetes.io/custom-http-errors", "404,503")
                .annotation("nginx.ingress.kubernetes.io/service-upstream", "true")
                .rule(new Manifests.Rule("shop.example", Manifests.prefix("/", "web"))).yaml());

        assertEquals(1, run("migrate", "--manifests", dir.toString(), "--output", "json"), err.toString());
        JsonNode summary = Json.MAPPER.readTree(out.toString()).get("summary");
        assertEquals(Json.MAPPER.readTree("""
                {"ingresses": 1, "behaveDifferently": 1,
                 "annotations": {"SUPPORTED": 1, "DIFFERENT": 2, "UNSUPPORTED": 0, "REFUSED": 0, "UNKNOWN": 0},
                 "byAnnotation": [
                   {"annotation": "nginx.ingress.kubernetes.io/custom-http-errors", "support": "DIFFERENT", "ingresses": 1},
                   {"annotation": "nginx.ingress.kubernetes.io/default-backend", "support": "SUPPORTED", "ingresses": 1},
                   {"annotation": "nginx.ingress.kubernetes.io/service-upstream", "support": "DIFFERENT", "ingresses": 1}]}
                """), summary);
    }

    @Test
    void ingressesWhoseAnnotationsAreAllSupportedExitZeroAndThePeoplesTableSaysSo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("app.yaml"), m.ingress("web")
                .annotation("cert-manager.io/cluster-issuer", "letsencrypt")
                .annotation("nginx.ingress.kubernetes.io/ssl-redirect", "true")
                .rule(new Manifests.Rule("shop.example", Manifests.prefix("/", "web"))).yaml());

        assertEquals(0, run("migrate", "--manifests", dir.toString()), err.toString());
        assertTrue(out.toString().contains("1 Ingress, 0 would behave differently; annotation uses: 1 supported, "
                + "0 different, 0 unsupported, 0 refused, 0 unknown"), out.toString());
    }

    /**
     * The same annotation with several values, one Ingress each: the verdict on the value, whether the Ingress would
     * behave differently, and the exit status.
     */
    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("backend-protocol HTTP", "backend-protocol", "HTTP", "/", "SUPPORTED"),
                Arguments.of("backend-protocol HTTPS sends SNI", "backend-protocol", "HTTPS", "/", "DIFFERENT"),
                Arguments.of("backend-protocol FCGI is an error", "backend-protocol", "FCGI", "/", "DIFFERENT"),
                Arguments.of("auth-url without variables gets ingress-nginx's request", "auth-url",
                        "http://auth.shop.svc/check", "/", "SUPPORTED"),
                Arguments.of("auth-url without a path is asked at /", "auth-url", "http://auth.shop.svc", "/", "DIFFERENT"),
                Arguments.of("auth-url with a variable is an error", "auth-url", "https://$host/check", "/", "DIFFERENT"),
                Arguments.of("use-regex on a path RE2 takes", "use-regex", "true", "/api/(.*)", "SUPPORTED"),
                Arguments.of("use-regex on a path with a lookahead", "use-regex", "true", "/(?!admin)", "DIFFERENT"),
                Arguments.of("proxy-body-size 0", "proxy-body-size", "0", "/", "SUPPORTED"),
                Arguments.of("proxy-body-size 8m", "proxy-body-size", "8m", "/", "DIFFERENT"),
                Arguments.of("ssl-passthrough false", "ssl-passthrough", "false", "/", "SUPPORTED"),
                Arguments.of("ssl-passthrough true", "ssl-passthrough", "true", "/", "UNSUPPORTED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void eachValueHasItsOwnVerdict(String name, String annotation, String value, String path, String expected,
                                   @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("app.yaml"), m.ingress("web")
                .annotation("nginx.ingress.kubernetes.io/" + annotation, value)
                .rule(new Manifests.Rule("shop.example", Manifests.prefix(path, "web"))).yaml());

        int exit = run("migrate", "--manifests", dir.toString(), "--output", "json");

        JsonNode ingress = Json.MAPPER.readTree(out.toString()).get("ingresses").get(0);
        boolean same = expected.equals("SUPPORTED");
        assertEquals(List.of(expected, !same, same ? 0 : 1), List.of(ingress.get("annotations").get(0).get("support").asText(),
                ingress.get("behavesDifferently").asBoolean(), exit), err.toString());
    }

    @Test
    void theCountsByAnnotationSplitAnAnnotationWhoseVerdictDependsOnItsValue(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("app.yaml"), Manifests.documents(
                m.ingress("upload").annotation("nginx.ingress.kubernetes.io/proxy-body-size", "0")
                        .rule(new Manifests.Rule("upload.example", Manifests.prefix("/", "web"))).yaml(),
                m.ingress("api").annotation("nginx.ingress.kubernetes.io/proxy-body-size", "8m")
                        .rule(new Manifests.Rule("api.example", Manifests.prefix("/", "web"))).yaml(),
                m.ingress("web").annotation("nginx.ingress.kubernetes.io/proxy-body-size", "0")
                        .rule(new Manifests.Rule("shop.example", Manifests.prefix("/", "web"))).yaml()));

        assertEquals(1, run("migrate", "--manifests", dir.toString(), "--output", "json"), err.toString());
        assertEquals(Json.MAPPER.readTree("""
                [{"annotation": "nginx.ingress.kubernetes.io/proxy-body-size", "support": "SUPPORTED", "ingresses": 2},
                 {"annotation": "nginx.ingress.kubernetes.io/proxy-body-size", "support": "DIFFERENT", "ingresses": 1}]
                """), Json.MAPPER.readTree(out.toString()).get("summary").get("byAnnotation"));
    }

    @Test
    void aFileThatDoesNotParseIsNamedAndExitsOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("broken.yaml"), "kind: Ingress\nmetadata: [\n");

        assertEquals(1, run("migrate", "--manifests", dir.toString(), "-o", "json"));
        assertTrue(err.toString().contains("broken.yaml"), err.toString());
        assertEquals(1, Json.MAPPER.readTree(out.toString()).get("unreadable").size());
    }

    @Test
    void noSourceBothSourcesOrAMissingDirectoryAreUsageErrors(@TempDir Path dir) {
        assertEquals(2, run("migrate"));
        assertEquals(2, run("migrate", "--manifests", dir.toString(), "--kubeconfig", dir.resolve("k").toString()));
        assertEquals(2, run("migrate", "--manifests", dir.resolve("nosuch").toString()));
        assertEquals(2, run("migrate", "--kubeconfig", dir.resolve("nosuch").toString()));
        assertEquals(2, run("migrate", "--manifests", dir.toString(), "--output", "yaml"));
        assertEquals("", out.toString());
    }
}
