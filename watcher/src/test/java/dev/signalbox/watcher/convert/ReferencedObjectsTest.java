package dev.signalbox.watcher.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.AuthSecretState;
import dev.signalbox.schemas.event.ConfigMapState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.watcher.model.Observed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Objects in, the ones published out: auth Secrets and ConfigMaps only while an Ingress of their namespace names them. */
class ReferencedObjectsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";

    private static Observed ingress(String ns, String name, Map<String, String> annotations) {
        return new Observed(new ObjectKey("c", Kind.INGRESS, ns, name), null, "1",
                new IngressState(null, annotations, null, null, List.of(), List.of()));
    }

    private static Observed secret(String ns, String name) {
        ObjectState s = new AuthSecretState(null, "none");
        return new Observed(new ObjectKey("c", Kind.SECRET, ns, name), null, "1", s);
    }

    private static Observed configMap(String ns, String name) {
        return new Observed(new ObjectKey("c", Kind.CONFIG_MAP, ns, name), null, "1",
                new ConfigMapState(Map.of("X-Frame-Options", "DENY"), null));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a Secret no Ingress names is not published", List.of(secret("ns", "users")), List.of()),
                Arguments.of("a Secret named by auth-secret with auth-type is published",
                        List.of(secret("ns", "users"), ingress("ns", "a", Map.of(N + "auth-type", "basic", N + "auth-secret", "users"))),
                        List.of("c/Ingress/ns/a", "c/Secret/ns/users")),
                Arguments.of("namespace/name of the Ingress's own namespace counts",
                        List.of(secret("ns", "users"), ingress("ns", "a", Map.of(N + "auth-type", "basic", N + "auth-secret", "ns/users"))),
                        List.of("c/Ingress/ns/a", "c/Secret/ns/users")),
                Arguments.of("an Ingress cannot have a Secret of another namespace published",
                        List.of(secret("other", "users"), ingress("ns", "a", Map.of(N + "auth-type", "basic",
                                N + "auth-secret", "other/users"))),
                        List.of("c/Ingress/ns/a")),
                Arguments.of("auth-secret without auth-type publishes nothing",
                        List.of(secret("ns", "users"), ingress("ns", "a", Map.of(N + "auth-secret", "users"))),
                        List.of("c/Ingress/ns/a")),
                Arguments.of("signalbox.dev/ names win",
                        List.of(secret("ns", "mine"), secret("ns", "theirs"), ingress("ns", "a", Map.of("signalbox.dev/auth-type", "basic",
                                "signalbox.dev/auth-secret", "mine", N + "auth-secret", "theirs"))),
                        List.of("c/Ingress/ns/a", "c/Secret/ns/mine")),
                Arguments.of("a ConfigMap no Ingress names is not published", List.of(configMap("ns", "headers")), List.of()),
                Arguments.of("a ConfigMap custom-headers names as namespace/name is published",
                        List.of(configMap("ns", "headers"), configMap("ns", "other"),
                                ingress("ns", "a", Map.of(N + "custom-headers", "ns/headers"))),
                        List.of("c/Ingress/ns/a", "c/ConfigMap/ns/headers")),
                Arguments.of("a ConfigMap signalbox.dev/proxy-set-headers names is published",
                        List.of(configMap("ns", "upstream"), ingress("ns", "a", Map.of("signalbox.dev/proxy-set-headers", "ns/upstream"))),
                        List.of("c/Ingress/ns/a", "c/ConfigMap/ns/upstream")),
                Arguments.of("proxy-set-headers under the ingress-nginx prefix is no annotation of ingress-nginx's: nothing published",
                        List.of(configMap("ns", "upstream"), ingress("ns", "a", Map.of(N + "proxy-set-headers", "ns/upstream"))),
                        List.of("c/Ingress/ns/a")),
                Arguments.of("both annotations and an auth Secret on one Ingress publish all three",
                        List.of(configMap("ns", "down"), configMap("ns", "up"), secret("ns", "users"),
                                ingress("ns", "a", Map.of(N + "custom-headers", "ns/down", "signalbox.dev/proxy-set-headers",
                                        "ns/up", N + "auth-type", "basic", N + "auth-secret", "users"))),
                        List.of("c/Ingress/ns/a", "c/Secret/ns/users", "c/ConfigMap/ns/down", "c/ConfigMap/ns/up")),
                Arguments.of("a bare name is not ingress-nginx's namespace/name: nothing published",
                        List.of(configMap("ns", "headers"), ingress("ns", "a", Map.of(N + "custom-headers", "headers"))),
                        List.of("c/Ingress/ns/a")),
                Arguments.of("an Ingress cannot have a ConfigMap of another namespace published",
                        List.of(configMap("other", "headers"), ingress("ns", "a", Map.of(N + "custom-headers", "other/headers"))),
                        List.of("c/Ingress/ns/a")),
                Arguments.of("a ConfigMap named from another namespace's Ingress only is not published",
                        List.of(configMap("ns", "headers"), ingress("other", "a", Map.of(N + "custom-headers", "ns/headers"))),
                        List.of("c/Ingress/other/a")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsOnlyNamedSecretsAndConfigMaps(String name, List<Observed> objects, List<String> kept) {
        Map<ObjectKey, Observed> in = new HashMap<>();
        objects.forEach(o -> in.put(o.key(), o));
        assertEquals(kept, new TreeSet<>(ReferencedObjects.keepReferenced(in).keySet()).stream().map(ObjectKey::recordKey).toList());
    }
}
