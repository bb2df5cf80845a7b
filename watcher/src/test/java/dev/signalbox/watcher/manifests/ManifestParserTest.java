package dev.signalbox.watcher.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.watcher.model.Observed;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
    static final KeyRing KEYS = KeyRing.of(java.util.Map.of("k1", new byte[32]), null);

    static final String THREE_DOCS = """
            # routing for the shop
            apiVersion: v1
            kind: Service
            metadata:
              name: api
            spec:
              ports:
              - port: 80
                targetPort: 8080
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
            spec:
              replicas: 2
            ---
            apiVersion: v1
            kind: Secret
            type: kubernetes.io/tls
            metadata:
              name: shop-tls
              namespace: shop
            stringData:
              tls.crt: CERT
              tls.key: KEY
            """;

    @Test
    void multiDocumentFileYieldsRoutedObjectsWithDefaultNamespaceAndIgnoresOtherKinds() {
        var r = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("local", KEYS, THREE_DOCS));
        assertEquals(List.of(new ObjectKey("local", Kind.SERVICE, "default", "api"), new ObjectKey("local", Kind.SECRET, "shop", "shop-tls")),
                r.objects().stream().map(Observed::key).toList());
        assertEquals(new TlsSecretState("CERT", KEYS.seal("KEY".getBytes(java.nio.charset.StandardCharsets.UTF_8), "local/shop/shop-tls"), null, null),
                r.objects().get(1).state());
    }

    @Test
    void aParseGivenTheLastOnesDocumentsParsesOnlyTheChangedOnesAndGivesWhatAParseFromScratchGives() {
        var first = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("local", KEYS, THREE_DOCS));
        String edited = THREE_DOCS.replace("tls.crt: CERT", "tls.crt: CERT2");
        var again = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("local", KEYS, edited, first.documents()));
        var scratch = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("local", KEYS, edited));
        assertEquals(scratch.objects(), again.objects());
        assertSame(first.objects().get(0), again.objects().get(0), "the unchanged Service's document was not parsed again");
        assertNotEquals(first.objects().get(1), again.objects().get(1), "the edited Secret's was");
    }

    @Test
    void versionIsAContentHashAndUidIsStableAcrossParses() {
        var a = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("local", KEYS, THREE_DOCS)).objects().get(0);
        var b = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("local", KEYS, THREE_DOCS)).objects().get(0);
        assertEquals(a, b);
        var changed = assertInstanceOf(ManifestParser.Parsed.class,
                ManifestParser.parse("local", KEYS, THREE_DOCS.replace("targetPort: 8080", "targetPort: 9090"))).objects().get(0);
        assertNotEquals(a.resourceVersion(), changed.resourceVersion());
        assertEquals(a.uid(), changed.uid());
    }

    @Test
    void aServiceExportIsReadLikeAnyOtherKindAndOtherGroupsOfTheSameKindAreNot() {
        String docs = """
                apiVersion: multicluster.x-k8s.io/v1alpha1
                kind: ServiceExport
                metadata:
                  name: api
                  namespace: shop
                ---
                apiVersion: example.com/v1
                kind: ServiceExport
                metadata:
                  name: other
                """;
        var r = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("east", KEYS, docs));
        assertEquals(List.of(new ObjectKey("east", Kind.SERVICE_EXPORT, "shop", "api")),
                r.objects().stream().map(Observed::key).toList());
        assertEquals(new dev.signalbox.schemas.event.ServiceExportState(null), r.objects().get(0).state());
    }

    @Test
    void aServiceOfAManifestKeepsTheClusterIpItWrites() {
        String doc = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  clusterIP: 127.0.0.1
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """;
        var r = assertInstanceOf(ManifestParser.Parsed.class, ManifestParser.parse("local", KEYS, doc));
        assertEquals(new dev.signalbox.schemas.event.ServiceState("ClusterIP", null,
                List.of(new dev.signalbox.schemas.event.ServiceState.Port("http", 80, "8080", "TCP")), "127.0.0.1"),
                r.objects().get(0).state());
    }

    @Test
    void aBrokenDocumentIsReportedWithItsLineInTheFile() {
        String broken = THREE_DOCS.replace("  replicas: 2", "  replicas: [2\n  foo: }");
        var f = assertInstanceOf(ManifestParser.Failed.class, ManifestParser.parse("local", KEYS, broken));
        assertEquals(17, f.line(), f.message());
    }

    @Test
    void aManifestsDirectoryPublishesOnlyTheConfigMapsAnIngressNames(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("all.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  namespace: shop
                  annotations:
                    nginx.ingress.kubernetes.io/custom-headers: shop/headers
                spec:
                  rules:
                  - host: shop.example
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: headers
                  namespace: shop
                data:
                  X-Frame-Options: DENY
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: app-settings
                  namespace: shop
                data:
                  DATABASE_URL: postgres://db
                """);
        var read = ManifestDirectory.readOnce(dir, "local", KEYS);
        assertEquals(List.of(new ObjectKey("local", Kind.INGRESS, "shop", "web"), new ObjectKey("local", Kind.CONFIG_MAP, "shop", "headers")),
                read.objects().stream().map(Observed::key).toList());
        assertEquals(new dev.signalbox.schemas.event.ConfigMapState(java.util.Map.of("X-Frame-Options", "DENY"), null),
                read.objects().get(1).state());
    }
}
