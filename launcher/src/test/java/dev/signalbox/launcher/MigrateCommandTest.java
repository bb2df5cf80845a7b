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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
