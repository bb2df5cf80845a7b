package dev.signalbox.e2e.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.launcher.Launcher;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.schemas.codec.Json;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bin/ingress migrate --kubeconfig}: the Ingresses of every namespace of a (mock) cluster, read with a kubeconfig file. */
@EnableKubernetesMockClient(crud = true)
class MigrateKubeconfigIT {
    static KubernetesClient client;

    @Test
    void everyNamespacesIngressesAreReviewedAndAnUnsupportedAnnotationExitsOne(@TempDir Path dir) throws Exception {
        client.network().v1().ingresses().inNamespace("shop").resource(new IngressBuilder().withNewMetadata()
                .withName("web").withAnnotations(Map.of("nginx.ingress.kubernetes.io/mirror-target", "http://mirror.local"))
                .endMetadata().withNewSpec().withIngressClassName("nginx").endSpec().build()).create();
        client.network().v1().ingresses().inNamespace("blog").resource(new IngressBuilder().withNewMetadata()
                .withName("home").withAnnotations(Map.of("nginx.ingress.kubernetes.io/ssl-redirect", "false"))
                .endMetadata().withNewSpec().withIngressClassName("nginx").endSpec().build()).create();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, new Manifests("default").kubeconfig(client.getConfiguration().getMasterUrl()));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute("migrate", "--kubeconfig", kubeconfig.toString(), "-o", "json");

        assertEquals(1, status, err.toString());
        JsonNode summary = Json.MAPPER.readTree(out.toString()).get("summary");
        assertEquals(Json.MAPPER.readTree("""
                {"ingresses": 2, "behaveDifferently": 1,
                 "annotations": {"SUPPORTED": 1, "DIFFERENT": 0, "UNSUPPORTED": 1, "REFUSED": 0, "UNKNOWN": 0},
                 "byAnnotation": [
                   {"annotation": "nginx.ingress.kubernetes.io/mirror-target", "support": "UNSUPPORTED", "ingresses": 1},
                   {"annotation": "nginx.ingress.kubernetes.io/ssl-redirect", "support": "SUPPORTED", "ingresses": 1}]}
                """), summary);
    }
}
