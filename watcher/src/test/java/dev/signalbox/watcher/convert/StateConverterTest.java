package dev.signalbox.watcher.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.event.ConfigMapState;
import dev.signalbox.schemas.event.EndpointSliceState;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StateConverterTest {
    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> cases() {
        var ingress = new IngressBuilder()
                .withNewMetadata().withName("web").withNamespace("shop").withUid("u1").withResourceVersion("7")
                .withCreationTimestamp("2026-01-02T03:04:05Z")
                .addToAnnotations("signalbox.dev/timeout", "5s")
                .addToAnnotations(StateConverter.LAST_APPLIED, "{\"huge\":true}")
                .addToAnnotations("example.com/owner", "team-a")
                .addNewManagedField().withManager("kubectl").endManagedField()
                .endMetadata()
                .withNewSpec().withIngressClassName("signalbox")
                .withNewDefaultBackend().withNewService().withName("fallback").withNewPort().withNumber(80).endPort().endService().endDefaultBackend()
                .addNewTl().withHosts("shop.example").withSecretName("shop-tls").endTl()
                .addNewRule().withHost("shop.example").withNewHttp()
                .addNewPath().withPath("/api").withPathType("Prefix")
                .withNewBackend().withNewService().withName("api").withNewPort().withName("http").endPort().endService().endBackend().endPath()
                .addNewPath().withPath("/static").withPathType("Exact")
                .withNewBackend().withNewResource("k8s.example.io", "Bucket", "assets").endBackend().endPath()
                .endHttp().endRule()
                .endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("10.0.0.1").endIngress().endLoadBalancer().endStatus()
                .build();
        var ingressState = new IngressState("signalbox", Map.of("signalbox.dev/timeout", "5s"), Instant.parse("2026-01-02T03:04:05Z"),
                new IngressState.BackendRef(new IngressState.ServiceRef("fallback", 80, null), null),
                List.of(new IngressState.TlsEntry(List.of("shop.example"), "shop-tls")),
                List.of(new IngressState.Rule("shop.example", List.of(
                        new IngressState.PathRule("/api", "Prefix",
                                new IngressState.BackendRef(new IngressState.ServiceRef("api", null, "http"), null)),
                        new IngressState.PathRule("/static", "Exact",
                                new IngressState.BackendRef(null, new IngressState.ResourceRef("k8s.example.io", "Bucket", "assets")))))));

        var ingressClass = new IngressClassBuilder().withNewMetadata().withName("signalbox").withUid("u2").withResourceVersion("3")
                .addToAnnotations(StateConverter.DEFAULT_CLASS, "true").endMetadata()
                .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build();
        var notDefaultClass = new IngressClassBuilder().withNewMetadata().withName("other").addToAnnotations(StateConverter.DEFAULT_CLASS, "yes")
                .endMetadata().withNewSpec().withController("x/y").endSpec().build();

        var service = new ServiceBuilder().withNewMetadata().withName("api").withNamespace("shop").withUid("u3").withResourceVersion("9").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("10.1.2.3")
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("web")).withProtocol("TCP").endPort()
                .addNewPort().withName("metrics").withPort(9090).withTargetPort(new IntOrString(9091)).endPort()
                .endSpec().withNewStatus().endStatus().build();
        var headless = new ServiceBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata()
                .withNewSpec().withClusterIP("None").endSpec().build();
        var externalName = new ServiceBuilder().withNewMetadata().withName("ext").withNamespace("shop").endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("db.example.com").endSpec().build();

        var slice = new EndpointSliceBuilder().withNewMetadata().withName("api-abcde").withNamespace("shop").withUid("u4").withResourceVersion("11")
                .addToLabels(StateConverter.SERVICE_NAME_LABEL, "api").endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("10.0.0.5").withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.0.0.6").endEndpoint()
                .build();

        var tls = new SecretBuilder().withNewMetadata().withName("shop-tls").withNamespace("shop").withUid("u5").withResourceVersion("2").endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", b64("-----BEGIN CERTIFICATE-----\nA\n")).addToData("tls.key", b64("KEY")).build();
        var tlsWithCa = new SecretBuilder().withNewMetadata().withName("backend-ca").withNamespace("shop").endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", b64("CERT")).addToData("tls.key", b64("KEY"))
                .addToData("ca.crt", b64("CA")).build();
        var tlsMissingKey = new SecretBuilder().withNewMetadata().withName("half").withNamespace("shop").endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", b64("CERT")).build();
        var tlsStringData = new SecretBuilder().withNewMetadata().withName("plain").withNamespace("shop").endMetadata()
                .withType("kubernetes.io/tls").addToStringData("tls.crt", "CERT").addToStringData("tls.key", "KEY").build();
        var opaque = new SecretBuilder().withNewMetadata().withName("password").withNamespace("shop").endMetadata()
                .withType("Opaque").addToData("p", b64("x")).addToStringData("auth", "foo:{SHA}x").build();
        var token = new SecretBuilder().withNewMetadata().withName("token").withNamespace("shop").endMetadata()
                .withType("kubernetes.io/service-account-token").addToData("token", b64("x")).build();
        var configMap = new ConfigMapBuilder().withNewMetadata().withName("cm").withNamespace("shop").withUid("u6")
                .withResourceVersion("4").endMetadata().addToData("X-Frame-Options", "DENY")
                .addToData("X-Content-Type-Options", "nosniff").addToBinaryData("logo", b64("x")).build();
        var emptyConfigMap = new ConfigMapBuilder().withNewMetadata().withName("empty").withNamespace("shop").endMetadata().build();
        var largeConfigMap = new ConfigMapBuilder().withNewMetadata().withName("large").withNamespace("shop").endMetadata()
                .addToData("X-Large", "x".repeat(70_000)).build();

        return Stream.of(
                Arguments.of("an Ingress keeps its routing fields and loses status, managedFields and last-applied", ingress,
                        Optional.of(new Observed(new ObjectKey("c", Kind.INGRESS, "shop", "web"), "u1", "7", ingressState))),
                Arguments.of("an IngressClass with is-default-class true is the default, cluster-scoped", ingressClass,
                        Optional.of(new Observed(new ObjectKey("c", Kind.INGRESS_CLASS, "", "signalbox"), "u2", "3",
                                new IngressClassState("signalbox.dev/ingress-controller", true)))),
                Arguments.of("an IngressClass annotated anything but true is not the default", notDefaultClass,
                        Optional.of(new Observed(new ObjectKey("c", Kind.INGRESS_CLASS, "", "other"), null, null,
                                new IngressClassState("x/y", false)))),
                Arguments.of("a Service keeps its cluster IP and ports with targetPort as name or number and defaults "
                                + "the protocol", service,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SERVICE, "shop", "api"), "u3", "9",
                                new ServiceState("ClusterIP", null, List.of(new ServiceState.Port("http", 80, "web", "TCP"),
                                        new ServiceState.Port("metrics", 9090, "9091", "TCP")), "10.1.2.3")))),
                Arguments.of("a headless Service keeps clusterIP None", headless,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SERVICE, "shop", "db"), null, null,
                                new ServiceState("ClusterIP", null, List.of(), "None")))),
                Arguments.of("an ExternalName Service keeps its external name", externalName,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SERVICE, "shop", "ext"), null, null,
                                new ServiceState("ExternalName", "db.example.com", List.of())))),
                Arguments.of("an EndpointSlice keeps its service, ports and endpoint conditions, unknown as null", slice,
                        Optional.of(new Observed(new ObjectKey("c", Kind.ENDPOINT_SLICE, "shop", "api-abcde"), "u4", "11",
                                new EndpointSliceState("api", "IPv4", List.of(new EndpointSliceState.Port("http", 8080, "TCP")),
                                        List.of(new EndpointSliceState.Endpoint(List.of("10.0.0.5"), true, true, false),
                                                new EndpointSliceState.Endpoint(List.of("10.0.0.6"), null, null, null)))))),
                Arguments.of("a TLS Secret is decoded to PEM text, its key sealed for the Secret", tls,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SECRET, "shop", "shop-tls"), "u5", "2",
                                new TlsSecretState("-----BEGIN CERTIFICATE-----\nA\n", sealed("KEY", "c/shop/shop-tls"), null, null)))),
                Arguments.of("a TLS Secret's ca.crt is kept as PEM text", tlsWithCa,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SECRET, "shop", "backend-ca"), null, null,
                                new TlsSecretState("CERT", sealed("KEY", "c/shop/backend-ca"), "CA", null)))),
                Arguments.of("a TLS Secret missing its key still converts, with a null key", tlsMissingKey,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SECRET, "shop", "half"), null, null,
                                new TlsSecretState("CERT", null, null, null)))),
                Arguments.of("a TLS Secret written with stringData converts like data", tlsStringData,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SECRET, "shop", "plain"), null, null,
                                new TlsSecretState("CERT", sealed("KEY", "c/shop/plain"), null, null)))),
                Arguments.of("an Opaque Secret's data is sealed whole, data and stringData, for the sources to publish if an "
                                + "Ingress names it", opaque,
                        Optional.of(new Observed(new ObjectKey("c", Kind.SECRET, "shop", "password"), null, null,
                                new dev.signalbox.schemas.event.AuthSecretState(sealed("{\"auth\":\"foo:{SHA}x\",\"p\":\"x\"}",
                                        "c/shop/password"), null)))),
                Arguments.of("a Secret of another type is not routed", token, Optional.empty()),
                Arguments.of("a ConfigMap keeps its data, sorted, without binaryData, for the sources to publish if an Ingress "
                                + "names it", configMap,
                        Optional.of(new Observed(new ObjectKey("c", Kind.CONFIG_MAP, "shop", "cm"), "u6", "4",
                                new ConfigMapState(java.util.Map.of("X-Content-Type-Options", "nosniff", "X-Frame-Options",
                                        "DENY"), null)))),
                Arguments.of("a ConfigMap without data has empty data", emptyConfigMap,
                        Optional.of(new Observed(new ObjectKey("c", Kind.CONFIG_MAP, "shop", "empty"), null, null,
                                new ConfigMapState(java.util.Map.of(), null)))),
                Arguments.of("a ConfigMap larger than 64 KiB is left out, saying why", largeConfigMap,
                        Optional.of(new Observed(new ObjectKey("c", Kind.CONFIG_MAP, "shop", "large"), null, null,
                                new ConfigMapState(java.util.Map.of(), "its data is 70007 characters, more than the 65536 a "
                                        + "ConfigMap of header fields may have")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void converts(String name, HasMetadata input, Optional<Observed> expected) {
        assertEquals(expected, StateConverter.convert("c", input, KEYS));
    }

    @Test
    void aWatcherWithoutKeysLeavesTheKeyOutAndSaysWhy() {
        var secret = new SecretBuilder().withNewMetadata().withName("t").withNamespace("shop").endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", b64("CERT")).addToData("tls.key", b64("KEY")).build();
        TlsSecretState s = (TlsSecretState) StateConverter.convert("c", secret, KeyRing.empty()).orElseThrow().state();
        assertEquals(List.of("CERT", "null", "the watcher has no key-encryption key (--encryption-keys or"
                        + " SIGNALBOX_ENCRYPTION_KEYS), so it does not publish private keys"),
                List.of(s.certificatePem(), String.valueOf(s.privateKey()), s.keyNotPublished()));
    }

    @Test
    void anAuthSecretIsLeftOutWithoutKeysOrWhenLarge() {
        var small = new SecretBuilder().withNewMetadata().withName("a").withNamespace("shop").endMetadata()
                .addToStringData("auth", "foo:{SHA}x").build();
        var large = new SecretBuilder().withNewMetadata().withName("b").withNamespace("shop").endMetadata()
                .addToStringData("auth", "x".repeat(70_000)).build();
        assertEquals(List.of("the watcher has no key-encryption key (--encryption-keys or SIGNALBOX_ENCRYPTION_KEYS), so it"
                        + " does not publish the data of auth Secrets", "its data is 70011 bytes, more than the 65536 an auth"
                        + " Secret may have"),
                List.of(((dev.signalbox.schemas.event.AuthSecretState) StateConverter.convert("c", small, KeyRing.empty())
                                .orElseThrow().state()).notPublished(),
                        ((dev.signalbox.schemas.event.AuthSecretState) StateConverter.convert("c", large, KEYS)
                                .orElseThrow().state()).notPublished()));
    }

    static final KeyRing KEYS = KeyRing.of(java.util.Map.of("k1", new byte[32]), null);

    private static SealedKey sealed(String pem, String context) {
        return KEYS.seal(pem.getBytes(java.nio.charset.StandardCharsets.UTF_8), context);
    }
}
